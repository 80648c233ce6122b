"""The shipped middle-skill posting set loads, is big and varied, splits evenly; bad files are refused."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest

from nlp.postings_gold import POSTINGS_GOLD_FILE, load_postings_gold, split_of
from nlp.taxonomy import load_taxonomy

WELD = "51-4121.00"


@pytest.fixture(scope="module")
def postings():
    return load_postings_gold()


def test_shipped_set_is_big_and_varied(postings):
    assert len(postings) >= 150
    occupations = Counter(p.occupation for p in postings)
    assert len(occupations) >= 15
    assert all(p.groups for p in postings)
    assert sum(len(p.groups) for p in postings) >= 3 * len(postings)


def test_both_splits_hold_enough_of_every_occupation(postings):
    splits = Counter(split_of(p.id) for p in postings)
    assert set(splits) == {"tune", "test"}
    assert min(splits.values()) >= 0.4 * len(postings)
    by_occupation: dict[str, set[str]] = defaultdict(set)
    for p in postings:
        by_occupation[p.occupation].add(split_of(p.id))
    sizes = Counter(p.occupation for p in postings)
    one_sided = [o for o, s in by_occupation.items() if sizes[o] >= 4 and len(s) < 2]
    assert one_sided == []


def test_split_is_stable_and_by_id():
    assert split_of("weld-001") == split_of(" weld-001 ")
    assert {split_of(f"x-{i}") for i in range(20)} == {"tune", "test"}


def _line(pid="t-001", occupation=WELD, ids=None, acceptable=()):
    tax = load_taxonomy()
    some = ids if ids is not None else [next(c for c in tax.concepts if c.startswith("urn:onet:dwa:"))]
    return json.dumps(
        {
            "id": pid,
            "occupation": occupation,
            "title": "Welder",
            "text": "MIG weld steel frames.",
            "expect": [{"label": "MIG welding", "any": list(some)}],
            "acceptable": list(acceptable),
        }
    )


def _write(tmp_path, *lines):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_good_tmp_file_loads(tmp_path):
    [p] = load_postings_gold(_write(tmp_path, _line(), ""))
    assert (p.id, p.occupation, p.title) == ("t-001", WELD, "Welder")
    assert p.groups[0].label == "MIG welding" and len(p.groups[0].ids) == 1
    assert p.expected_ids == p.groups[0].ids and p.acceptable == frozenset()


def test_a_skill_missing_from_the_taxonomy_may_have_no_ids(tmp_path):
    [p] = load_postings_gold(_write(tmp_path, _line(ids=[])))
    assert p.groups[0].ids == frozenset()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([_line(ids=["urn:onet:tech:no-such-thing"])], "line 1 (t-001): expect[0].any: unknown concept id"),
        ([_line(acceptable=["http://example.org/nope"])], "line 1 (t-001): acceptable: unknown concept id"),
        ([_line(), _line()], "line 2: duplicate id 't-001' (first on line 1)"),
        ([_line(occupation="99-9999.99")], "line 1 (t-001): unknown O*NET-SOC occupation '99-9999.99'"),
        ([_line(occupation="51-4121.06")], "unknown O*NET-SOC occupation '51-4121.06'"),
        (["{not json"], "line 1: not valid JSON"),
        ([_line().replace('"MIG weld steel frames."', '"  "')], "'text' must be a non-empty string"),
        ([_line().replace('"expect": [{', '"extra": 1, "expect": [{')], "line 1: expected an object"),
    ],
)
def test_bad_files_are_refused_naming_the_line(tmp_path, lines, message):
    with pytest.raises(ValueError, match="gold.jsonl") as err:
        load_postings_gold(_write(tmp_path, *lines))
    assert message in str(err.value)


def test_a_concept_both_expected_and_acceptable_is_refused(tmp_path):
    cid = next(c for c in load_taxonomy().concepts if c.startswith("urn:onet:dwa:"))
    with pytest.raises(ValueError, match="both expected and acceptable"):
        load_postings_gold(_write(tmp_path, _line(ids=[cid], acceptable=[cid])))


def test_the_default_path_is_the_shipped_file(postings):
    assert POSTINGS_GOLD_FILE.name == "postings.jsonl" and POSTINGS_GOLD_FILE.parent.name == "eval"
    assert len({p.id for p in postings}) == len(postings)
