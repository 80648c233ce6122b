"""The signed sums of rollup parts: each key's measures added up, keys ascending, dense keys or sparse."""

from __future__ import annotations

import numpy as np
import pytest

from service.demand.rollup_sums import _summed, _unpacked


@pytest.mark.parametrize("spread", [50, 10_000_000])  # small keys (the histogram) and sparse ones (the sort)
def test_summed_equals_adding_each_keys_rows(spread: int):
    rng = np.random.default_rng(spread)
    keys = rng.integers(0, spread, size=3000)
    measures = rng.integers(-5, 20, size=(3, 3000))
    found = _summed(np.vstack([keys, measures]))
    expected = {int(k): measures[:, keys == k].sum(axis=1).tolist() for k in np.unique(keys)}
    assert found.keys.tolist() == sorted(expected)
    assert {int(k): found.counts[:, i].tolist() for i, k in enumerate(found.keys)} == expected


def test_a_packed_bytea_reads_back_as_keys_and_measures():
    rows = [(7, 3, 2, 1), (0, 120, 0, 0)]
    narrow = b"".join(v.to_bytes(4, "big", signed=True) for row in rows for v in row)
    wide = b"".join(v.to_bytes(8, "big", signed=True) for row in rows for v in row)
    for blob, is_wide in ((narrow, False), (wide, True)):
        assert _unpacked(blob, is_wide).tolist() == [[7, 0], [3, 120], [2, 0], [1, 0]]
