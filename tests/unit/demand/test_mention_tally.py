"""Competency counts from posting signatures: a posting counts once per competency whose concepts it names,
however many of them it names, and only for the credentials that count its occupation code."""

from __future__ import annotations

import random

import pytest

from service.demand.mention_counts import tally


def brute(postings, covering, credential_codes):  # noqa: ANN001, ANN201
    out: dict = {}
    for code, window, named in postings:
        for comp_id, (cred_id, keys) in covering.items():
            if code in credential_codes.get(cred_id, []) and named & set(keys):
                per = out.setdefault(cred_id, {}).setdefault(window, {})
                per[comp_id] = per.get(comp_id, 0) + 1
    return out


@pytest.mark.parametrize("concepts", [8, 150])  # 150: covered concepts span three 64-bit words
def test_tally_equals_counting_each_posting(concepts: int):
    rng = random.Random(concepts)
    codes = ["11-1011.00", "15-1232.00", "29-1141.00"]
    credential_codes = {1: codes[:1], 2: codes[1:], 3: codes, 4: []}
    covering = {
        10 * cred + i: (cred, rng.sample(range(1, concepts + 1), rng.randint(1, 3)))
        for cred in (1, 2, 3, 4)
        for i in range(4)
    }
    postings = [
        (
            rng.choice(codes),
            rng.choice(["baseline", "current"]),
            set(rng.sample(range(1, concepts + 4), rng.randint(1, 4))),
        )
        for _ in range(400)
    ]
    signatures: dict[tuple[str, str, tuple[int, ...]], int] = {}
    for code, window, named in postings:
        key = (code, window, tuple(sorted(named)))
        signatures[key] = signatures.get(key, 0) + 1
    found = tally([(*key, n) for key, n in signatures.items()], covering, credential_codes)
    assert found == brute(postings, covering, credential_codes)
    assert 4 not in found and set(found) == {1, 2, 3}
