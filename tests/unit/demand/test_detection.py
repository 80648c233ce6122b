"""Drift detection from counts: the gate (BH, minimum change, minimum postings) on hand-made windows."""

from __future__ import annotations

from datetime import date

from service.demand.aggregation import BucketCounts, ConceptCount
from service.demand.detection import Thresholds, detect, windows_for
from service.demand.statistics import Gate

LIMITS = Thresholds(
    Gate(0.05, 0.05, 30), demand_floor=0.05, coverage_drop_points=0.10, severity_medium=0.5, severity_high=0.8
)
WINDOWS = windows_for(date(2025, 11, 1), 90, 365)


def counts(nb: int, nc: int, concepts: dict[str, tuple[int, int]]) -> BucketCounts:
    out = BucketCounts(totals={"baseline": nb, "current": nc})
    for cid, (xb, xc) in concepts.items():
        if xb:
            out.concepts.setdefault("baseline", {})[cid] = ConceptCount(cid.upper(), xb, xb, 0)
        if xc:
            out.concepts.setdefault("current", {})[cid] = ConceptCount(cid.upper(), xc, 0, xc)
    return out


def nothing_covered(concepts):
    return {cid: [] for cid, _ in concepts}


def test_windows_are_adjacent_and_inclusive():
    assert WINDOWS.current_start == date(2025, 8, 4)
    assert WINDOWS.baseline_end == date(2025, 8, 3)
    assert (WINDOWS.baseline_end - WINDOWS.baseline_start).days == 364


def test_a_real_rise_passes_and_a_small_or_noisy_one_does_not():
    data = counts(1200, 300, {"docker": (24, 75), "sql": (600, 156), "tiny": (12, 6), "go": (60, 22)})
    outcome = detect("Cert", data, {}, {}, nothing_covered, WINDOWS, LIMITS)
    assert outcome.status == "ok" and outcome.tests == 4
    emerging = [c for c in outcome.candidates if c.kind == "emerging_skill"]
    assert [c.concept_id for c in emerging] == ["docker"]
    evidence = emerging[0].evidence
    assert evidence["counts"] == {"baseline": 24, "current": 75}
    assert evidence["required"] == {"baseline": 24, "current": 0}
    assert evidence["preferred"] == {"baseline": 0, "current": 75}
    assert evidence["q_value"] <= 0.05 and evidence["tests"] == 4


def test_covered_concepts_do_not_emerge():
    data = counts(1200, 300, {"docker": (24, 75)})
    covered = detect(
        "Cert", data, {}, {}, lambda cs: {cid: [{"competency_id": 1}] for cid, _ in cs}, WINDOWS, LIMITS
    )
    assert [c.kind for c in covered.candidates] == []


def test_too_few_postings_is_insufficient_data():
    outcome = detect("Cert", counts(1200, 10, {"docker": (24, 9)}), {}, {}, nothing_covered, WINDOWS, LIMITS)
    assert outcome.status == "insufficient_data" and outcome.candidates == []


def test_fading_competency_and_coverage_drop():
    data = counts(1000, 300, {"lotus": (300, 9), "sql": (500, 150), "docker": (0, 120)})
    comp = {"baseline": {7: 300, 8: 500}, "current": {7: 9, 8: 150}}
    links = {"lotus": [{"competency_id": 7}], "sql": [{"competency_id": 8}]}
    outcome = detect(
        "Cert",
        data,
        comp,
        {7: "Lotus spreadsheets", 8: "SQL"},
        lambda cs: {cid: links.get(cid, []) for cid, _ in cs},
        WINDOWS,
        LIMITS,
    )
    kinds = sorted(c.kind for c in outcome.candidates)
    assert kinds == ["coverage_drop", "emerging_skill", "fading_competency"]
    fading = next(c for c in outcome.candidates if c.kind == "fading_competency")
    assert fading.competency_id == 7 and fading.severity == "high"
    drop = next(c for c in outcome.candidates if c.kind == "coverage_drop")
    assert drop.evidence["coverage"]["baseline"] == 1.0 and drop.evidence["coverage"]["current"] < 0.7


def test_malformed_occupation_codes_are_skipped_not_fatal():
    from service.demand.runs import usable_occupations

    assert usable_occupations(["15-1232", 151232, None, "software", "15-1232", "15-1251.00"]) == (
        "15-1232",
        "15-1251.00",
    )
    assert usable_occupations(None) == ()
    assert usable_occupations("15-1232") == ()
