"""Drift detection for one credential: pure, from counts to alert candidates (no database, no clock).

Every concept seen in either window and every competency with linked concepts is tested (two-sided), and
Benjamini–Hochberg runs over all of those tests together, so the more a credential is tested the stronger each
signal must be. A candidate then also needs the minimum absolute change; a fading competency that fell
below the
demand floor needs significance but not the minimum change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from service.demand.aggregation import BucketCounts, ConceptCount
from service.demand.concept_arrays import POSTINGS, ConceptArrays
from service.demand.coverage import weighted_coverage
from service.demand.statistics import (
    Comparison,
    Gate,
    cohens_h,
    compare_many,
    discoveries,
    enough_data,
    severity_for,
)


@dataclass(frozen=True, slots=True)
class Windows:
    """Inclusive date ranges: the baseline ends the day before the current window starts."""

    as_of: date
    current_start: date
    baseline_start: date

    @property
    def baseline_end(self) -> date:
        return self.current_start - timedelta(days=1)

    def to_dict(self) -> dict:
        return {
            "baseline": {"from": self.baseline_start.isoformat(), "to": self.baseline_end.isoformat()},
            "current": {"from": self.current_start.isoformat(), "to": self.as_of.isoformat()},
        }


def windows_for(as_of: date, current_days: int, baseline_days: int) -> Windows:
    current_start = as_of - timedelta(days=current_days - 1)
    return Windows(as_of, current_start, current_start - timedelta(days=baseline_days))


@dataclass(frozen=True, slots=True)
class Thresholds:
    gate: Gate
    demand_floor: float
    coverage_drop_points: float
    severity_medium: float
    severity_high: float
    exact_test_below: float = 5.0


@dataclass(slots=True)
class Candidate:
    """An alert the evidence supports; `subject` is the concept id or competency id it is about."""

    kind: str
    subject: str
    title: str
    severity: str
    evidence: dict
    concept_id: str | None = None
    competency_id: int | None = None
    snippet_concepts: list[str] = field(default_factory=list)
    snippet_window: str = "current"


@dataclass(slots=True)
class Outcome:
    status: str  # "ok" | "insufficient_data"
    baseline_postings: int
    current_postings: int
    tests: int = 0
    coverage: dict = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(slots=True)
class _Test:
    kind: str  # "concept" | "competency"
    key: str
    comparison: Comparison
    q: float = 1.0


def _counts(comparison: Comparison, q: float, tests: int, windows: Windows) -> dict:
    return {
        "as_of": windows.as_of.isoformat(),
        "windows": windows.to_dict(),
        "postings": {"baseline": comparison.baseline_total, "current": comparison.current_total},
        "counts": {"baseline": comparison.baseline_count, "current": comparison.current_count},
        "shares": {
            "baseline": round(comparison.baseline_share, 4),
            "current": round(comparison.current_share, 4),
        },
        "change": round(comparison.change, 4),
        "effect_size": round(comparison.effect_size, 4),
        "test": comparison.test,
        "p_value": _sig(comparison.p_value),
        "q_value": _sig(q),
        "tests": tests,
    }


@dataclass(slots=True)
class _Run:
    """What every detector of one credential reads: its window counts, labels and limits."""

    credential_name: str
    windows: Windows
    limits: Thresholds
    counts: ConceptArrays
    nb: int
    nc: int
    tests: int = 0

    def severity(self, comparison: Comparison) -> str:
        return severity_for(comparison.effect_size, self.limits.severity_medium, self.limits.severity_high)

    def label(self, concept_id: str) -> str:
        return self.counts.label(concept_id)

    def count(self, window: str, concept_id: str) -> ConceptCount | None:
        return self.counts.get(window, concept_id)

    def shares(self, window: str, concept_ids: Iterable[str]) -> dict[str, float]:
        """Each concept's share of the window's postings (0.0 for one it does not name), in the given order."""
        w, total = (0, self.nb) if window == "baseline" else (1, self.nc)
        ids = list(concept_ids)
        if not total:
            return dict.fromkeys(ids, 0.0)
        position = self.counts.index.position
        at = np.fromiter((position.get(cid, -1) for cid in ids), dtype=np.int64, count=len(ids))
        found = self.counts.counts[w, POSTINGS][np.maximum(at, 0)].tolist()
        return {
            cid: (n / total if i >= 0 else 0.0) for cid, i, n in zip(ids, at.tolist(), found, strict=True)
        }

    def demanded(self, window: str) -> dict[str, float]:
        """The concepts at or above the demand floor in the window, with their shares."""
        w, total = (0, self.nb) if window == "baseline" else (1, self.nc)
        if not total:
            return {}
        postings = self.counts.counts[w, POSTINGS]
        ids = self.counts.index.ids
        return {
            ids[i]: postings[i] / total for i in np.flatnonzero(postings >= self.limits.demand_floor * total)
        }


def detect(
    credential_name: str,
    counts: ConceptArrays | BucketCounts,
    competency_counts: dict[str, dict[int, int]],
    competency_names: dict[int, str],
    is_covered: Callable[[list[tuple[str, str]]], dict[str, list[dict]]],
    windows: Windows,
    limits: Thresholds,
) -> Outcome:
    """Alert candidates for one credential from its window counts.

    `is_covered(concepts)` answers, for (concept_id, label) pairs, the competencies covering each (empty list:
    not covered); it is asked only about the concepts that matter (risers and demanded concepts).
    """
    if isinstance(counts, BucketCounts):
        counts = ConceptArrays.from_buckets(counts)
    nb, nc = counts.total("baseline"), counts.total("current")
    outcome = Outcome("ok", nb, nc)
    if not enough_data(nb, nc, limits.gate):
        outcome.status = "insufficient_data"
        return outcome
    run = _Run(credential_name, windows, limits, counts, nb, nc)
    tests = _discoveries(run, competency_counts)
    outcome.tests = run.tests
    risers = _risers(run, tests)
    demanded_base, demanded_cur = run.demanded("baseline"), run.demanded("current")
    asked = sorted({t.key for t in risers} | set(demanded_base) | set(demanded_cur))
    covered_by = is_covered([(cid, run.label(cid)) for cid in asked])
    covered = {cid for cid, matches in covered_by.items() if matches}
    outcome.candidates += _emerging_skills(run, risers, covered)
    outcome.candidates += _fading_competencies(run, tests, competency_names)
    outcome.coverage, drop = _coverage_drop(run, tests, covered, demanded_base, demanded_cur)
    if drop is not None:
        outcome.candidates.append(drop)
    return outcome


def _discoveries(run: _Run, competency_counts: dict[str, dict[int, int]]) -> list[_Test]:
    """Every concept and competency tested together (BH over all); the discoveries, as comparisons.

    Only discoveries can alert (every rule needs q <= the level), so only those get a Comparison, and only the
    p-values at most the level need be exact (statistics.compare_many's `above`).
    """
    nb, nc = run.nb, run.nc
    postings = run.counts.counts[:, POSTINGS]
    seen = np.flatnonzero((postings[0] > 0) | (postings[1] > 0))  # in id order: the index is sorted
    comp_base, comp_cur = competency_counts.get("baseline", {}), competency_counts.get("current", {})
    comp_ids = sorted(set(comp_base) | set(comp_cur))
    ids = run.counts.index.ids

    def key(i: int) -> tuple[str, str]:  # only discoveries need theirs (thousands of tests per credential)
        return ("concept", ids[seen[i]]) if i < seen.size else ("competency", str(comp_ids[i - seen.size]))

    x_base = np.concatenate([postings[0, seen], [comp_base.get(c, 0) for c in comp_ids]]).astype(np.int64)
    x_cur = np.concatenate([postings[1, seen], [comp_cur.get(c, 0) for c in comp_ids]]).astype(np.int64)
    level = run.limits.gate.q_level
    p_values, exact = compare_many(x_base, nb, x_cur, nc, run.limits.exact_test_below, above=level)
    found, q_values = discoveries(p_values, level)
    run.tests = int(seen.size) + len(comp_ids)
    return [
        _Test(
            *key(int(i)),
            Comparison(
                int(x_base[i]), nb, int(x_cur[i]), nc, float(p_values[i]), "fisher" if exact[i] else "z"
            ),
            float(q),
        )
        for i, q in zip(found.tolist(), q_values.tolist(), strict=True)
    ]


def _risers(run: _Run, tests: list[_Test]) -> list[_Test]:
    """Concepts that rose significantly, by at least the minimum change, to at least the demand floor."""
    gate = run.limits.gate
    return [
        t
        for t in tests
        if t.kind == "concept"
        and t.q <= gate.q_level
        and t.comparison.change >= gate.min_abs_change - 1e-12
        and t.comparison.current_share >= run.limits.demand_floor
    ]


def _emerging_skills(run: _Run, risers: list[_Test], covered: set[str]) -> list[Candidate]:
    """An `emerging_skill` for each riser the credential does not cover."""
    out: list[Candidate] = []
    for t in risers:
        if t.key in covered:
            continue
        c, label = t.comparison, run.label(t.key)
        evidence = _counts(c, t.q, run.tests, run.windows)
        evidence.update(_requirement_split(run.count("baseline", t.key), run.count("current", t.key)))
        evidence["effect"] = round(c.current_share, 4)
        evidence["concept"] = {"id": t.key, "label": label}
        out.append(
            Candidate(
                kind="emerging_skill",
                subject=t.key,
                concept_id=t.key,
                title=f"Employers increasingly ask for \u201c{label}\u201d "
                f"({c.baseline_share:.0%} \u2192 {c.current_share:.0%} of postings); "
                f"{run.credential_name} does not cover it",
                severity=run.severity(c),
                evidence=evidence,
                snippet_concepts=[t.key],
            )
        )
    return out


def _fading_competencies(run: _Run, tests: list[_Test], competency_names: dict[int, str]) -> list[Candidate]:
    """A `fading_competency` per competency whose demand fell by the minimum change or under the floor."""
    gate, out = run.limits.gate, []
    for t in tests:
        if t.kind != "competency" or t.q > gate.q_level:
            continue
        c = t.comparison
        fell = c.change <= -gate.min_abs_change + 1e-12
        below_floor = c.baseline_share >= run.limits.demand_floor > c.current_share and c.change < 0
        if not (fell or below_floor):
            continue
        comp_id = int(t.key)
        name = competency_names.get(comp_id, f"competency {comp_id}")
        evidence = _counts(c, t.q, run.tests, run.windows)
        evidence["effect"] = round(-c.change, 4)
        evidence["competency"] = {"id": comp_id, "text": name}
        evidence["below_floor"] = below_floor
        out.append(
            Candidate(
                kind="fading_competency",
                subject=t.key,
                competency_id=comp_id,
                title=f"\u201c{_short(name)}\u201d is asked for less ({c.baseline_share:.0%} \u2192 "
                f"{c.current_share:.0%} of postings)",
                severity=run.severity(c),
                evidence=evidence,
                snippet_window="baseline",
            )
        )
    return out


def _coverage_drop(
    run: _Run,
    tests: list[_Test],
    covered: set[str],
    demanded_base: dict[str, float],
    demanded_cur: dict[str, float],
) -> tuple[dict, Candidate | None]:
    """Coverage in both windows and, when it fell enough with a significant driver, a `coverage_drop`.

    Coverage is over the same concepts in both windows (demanded in either), so a concept hovering at the
    floor does not swing it; and a drop must have a significant driver (an uncovered concept's significant
    rise or a covered concept's significant fall), so noise in many small shares cannot add up to an alert.
    """
    union = set(demanded_base) | set(demanded_cur)
    cov_base = weighted_coverage(run.shares("baseline", union), covered)
    cov_cur = weighted_coverage(run.shares("current", union), covered)
    coverage = {"baseline": cov_base, "current": cov_cur}
    drivers = [
        t.key
        for t in tests
        if t.kind == "concept"
        and t.key in union
        and t.q <= run.limits.gate.q_level
        and (t.comparison.change > 0) != (t.key in covered)
    ]
    if cov_base is None or cov_cur is None or not drivers:
        return coverage, None
    if cov_base - cov_cur < run.limits.coverage_drop_points - 1e-12:
        return coverage, None
    uncovered = sorted(
        ((cid, share) for cid, share in demanded_cur.items() if cid not in covered), key=lambda x: -x[1]
    )[:10]
    effect = cohens_h(cov_cur, cov_base)
    return coverage, Candidate(
        kind="coverage_drop",
        subject="coverage",
        title=f"Coverage of demand for {run.credential_name} fell from {cov_base:.0%} to {cov_cur:.0%}",
        severity=severity_for(effect, run.limits.severity_medium, run.limits.severity_high),
        evidence={
            "as_of": run.windows.as_of.isoformat(),
            "windows": run.windows.to_dict(),
            "postings": {"baseline": run.nb, "current": run.nc},
            "coverage": {"baseline": round(cov_base, 4), "current": round(cov_cur, 4)},
            "change": round(cov_cur - cov_base, 4),
            "effect_size": round(-effect, 4),
            "effect": round(cov_base - cov_cur, 4),
            "uncovered": [
                {"concept_id": cid, "label": run.label(cid), "share": round(s, 4)} for cid, s in uncovered
            ],
            "drivers": [{"concept_id": cid, "label": run.label(cid)} for cid in drivers[:10]],
        },
        snippet_concepts=[cid for cid, _ in uncovered[:3]],
    )


def _sig(value: float) -> float:
    """Six significant digits: enough to read, and stable through a JSON column on both databases."""
    return float(f"{value:.6g}")


def _requirement_split(base: ConceptCount | None, cur: ConceptCount | None) -> dict:
    return {
        "required": {"baseline": base.required if base else 0, "current": cur.required if cur else 0},
        "preferred": {"baseline": base.preferred if base else 0, "current": cur.preferred if cur else 0},
    }


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
