"""A credential's counts as arrays: the sum over its codes, on one concept index per region."""

from __future__ import annotations

from service.demand.aggregation import BucketCounts, ConceptCount
from service.demand.concept_arrays import ConceptArrays
from service.demand.run_counts import RunCounts


def run_counts() -> RunCounts:
    out = RunCounts()
    out.totals = {"11-1000.00": {"baseline": 10, "current": 4}, "11-1000.01": {"baseline": 5}}
    out.concepts = {
        "11-1000.00": {
            "baseline": {"sql": ConceptCount("SQL", 6, 5, 1), "go": ConceptCount("Go", 2, 0, 2)},
            "current": {"sql": ConceptCount("SQL", 3, 3, 0)},
        },
        "11-1000.01": {"baseline": {"sql": ConceptCount("SQL query", 4, 1, 3)}},
        "11-2000.00": {"current": {"rust": ConceptCount("Rust", 1, 1, 0)}},
    }
    return out


def plain(counts: BucketCounts) -> tuple[dict, dict]:
    concepts = {
        (window, cid): (c.label, c.postings, c.required, c.preferred)
        for window, per in counts.concepts.items()
        for cid, c in per.items()
    }
    return counts.totals, concepts


def test_a_credential_sums_its_codes_and_only_its_codes():
    counts = run_counts().arrays_for(["11-1000.00", "11-1000.01"])
    assert counts.totals == (15, 4)
    assert plain(counts.to_buckets()) == (
        {"baseline": 15, "current": 4},
        {
            ("baseline", "sql"): ("SQL query", 10, 6, 4),  # the greatest label where codes differ
            ("baseline", "go"): ("Go", 2, 0, 2),
            ("current", "sql"): ("SQL query", 3, 3, 0),
        },
    )
    assert counts.get("current", "rust") is None and counts.get("current", "nothing") is None
    assert counts.label("rust") == "Rust"  # on the region's index, though this credential never saw it


def test_one_code_and_no_code():
    counts = run_counts()
    assert plain(counts.arrays_for(["11-2000.00"]).to_buckets()) == (
        {},
        {("current", "rust"): ("Rust", 1, 1, 0)},
    )
    none = counts.arrays_for([])
    assert none.totals == (0, 0) and plain(none.to_buckets()) == ({}, {})


def test_from_buckets_round_trips():
    buckets = BucketCounts(
        {"baseline": 20, "current": 9},
        {"baseline": {"a": ConceptCount("A", 3, 1, 2)}, "current": {"b": ConceptCount("B", 9, 9, 0)}},
    )
    assert plain(ConceptArrays.from_buckets(buckets).to_buckets()) == plain(buckets)
