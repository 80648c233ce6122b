"""An alert's statistics in plain words, from the evidence a drift run stored with it.

Designers decide from these sentences, so they state counts beside shares ("24% of 412 postings") and the
windows they compare, and say how unlikely the change is to be chance without asking anyone to read a q-value.
Pure functions of the evidence dict (unit-tested); unknown or missing fields leave a sentence out.
"""

from __future__ import annotations

from datetime import date

KIND_NAMES = {
    "emerging_skill": "Emerging skill",
    "fading_competency": "Fading competency",
    "coverage_drop": "Coverage drop",
    "survey_gap": "Survey gap",
}


def _pct(share: float) -> str:
    pct = share * 100
    if 0 < pct < 1:
        return "under 1%"
    return f"{pct:.0f}%"


def _count(value: object) -> str:
    return f"{int(value):,}" if isinstance(value, int | float) else "?"


def _days(window: dict | None) -> int | None:
    try:
        return (date.fromisoformat(window["to"]) - date.fromisoformat(window["from"])).days + 1  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


def window_phrase(window: dict | None, fallback: str) -> str:
    """'the last 3 months' reads better than two dates; the dates themselves follow in the facts."""
    days = _days(window)
    if days is None:
        return fallback
    if days in (365, 366):
        return "12 months"
    if days % 30 == 0 and days >= 60:
        return f"{days // 30} months"
    return f"{days} days"


def _chance(evidence: dict) -> str | None:
    q = evidence.get("q_value")
    tests = evidence.get("tests")
    if not isinstance(q, int | float):
        return None
    if q < 0.001:
        odds = "far less than 1 in 1,000"
    elif q < 0.01:
        odds = "less than 1 in 100"
    elif q < 0.05:
        odds = "less than 1 in 20"
    else:
        odds = f"about {q:.0%}"
    among = (
        f", allowing for the {_count(tests)} comparisons checked in this run"
        if isinstance(tests, int)
        else ""
    )
    return f"The chance that a change this large is luck is {odds}{among} (q = {q:.2g})."


def _requirement(evidence: dict) -> str | None:
    required = (evidence.get("required") or {}).get("current")
    count = (evidence.get("counts") or {}).get("current")
    if not isinstance(required, int) or not isinstance(count, int) or count <= 0:
        return None
    return f"{_count(required)} of those {_count(count)} postings list it as required."


def _share_change(kind: str, evidence: dict, current_len: str, baseline_len: str) -> list[str]:
    """An emerging skill or a fading competency: the share of postings asking for it, then and now."""
    postings = evidence.get("postings") or {}
    shares = evidence.get("shares") or {}
    if not shares:
        return []
    emerging = kind == "emerging_skill"
    subject = (
        f"\u201c{(evidence.get('concept') or {}).get('label', 'This skill')}\u201d"
        if emerging
        else "This competency's skills"
    )
    sentences = [
        f"{subject} asked for in {_pct(shares.get('current', 0.0))} of {_count(postings.get('current'))} "
        f"postings in the last {current_len}, {'up' if emerging else 'down'} from "
        f"{_pct(shares.get('baseline', 0.0))} of {_count(postings.get('baseline'))} "
        f"in the {baseline_len} before."
    ]
    if emerging:
        sentences.append("None of the credential's competencies covers it (no confirmed or suggested link).")
        requirement = _requirement(evidence)
        if requirement:
            sentences.append(requirement)
    elif evidence.get("below_floor"):
        sentences.append("It has fallen below the share at which a skill counts as in demand.")
    return sentences


def _coverage_drop(kind: str, evidence: dict, current_len: str, baseline_len: str) -> list[str]:
    """The credential's coverage of demand, then and now, and what it misses most."""
    postings = evidence.get("postings") or {}
    coverage = evidence.get("coverage") or {}
    sentences = []
    if "current" in coverage and "baseline" in coverage:
        sentences.append(
            f"The credential covers {_pct(coverage['current'])} of what employers ask for in the last "
            f"{current_len} ({_count(postings.get('current'))} postings), down from "
            f"{_pct(coverage['baseline'])} in the {baseline_len} before "
            f"({_count(postings.get('baseline'))} postings)."
        )
    uncovered = evidence.get("uncovered") or []
    if uncovered:
        names = ", ".join(
            f"{u.get('label', u.get('concept_id', '?'))} ({_pct(u.get('share', 0.0))})" for u in uncovered[:5]
        )
        sentences.append(f"Most asked for and not covered: {names}.")
    return sentences


def _survey_gap(kind: str, evidence: dict, current_len: str, baseline_len: str) -> list[str]:
    """What responding employers said: a skill they name as missing, or a competency they rate low."""
    if evidence.get("signal") == "named_missing" and isinstance(evidence.get("named_by"), int):
        label = (evidence.get("concept") or {}).get("label", "this skill")
        return [
            f"{_count(evidence['named_by'])} of {_count(evidence.get('respondents'))} responding employers "
            f"({_pct(evidence.get('share', 0.0))}) name \u201c{label}\u201d among the skills recent "
            "hires lack, and the credential does not cover it."
        ]
    if evidence.get("signal") == "low_rating" and isinstance(evidence.get("low"), int):
        return [
            f"{_count(evidence['low'])} of the {_count(evidence.get('rated'))} employers who rated this "
            f"competency ({_pct(evidence.get('share', 0.0))}) call it of low importance."
        ]
    return []


KIND_SENTENCES = {
    "emerging_skill": _share_change,
    "fading_competency": _share_change,
    "coverage_drop": _coverage_drop,
    "survey_gap": _survey_gap,
}


def describe(kind: str, evidence: dict) -> list[str]:
    """Sentences for the alert page, most important first: the kind's own, then how unlikely it is luck."""
    evidence = evidence or {}
    windows = evidence.get("windows") or {}
    current_len = window_phrase(windows.get("current"), "the current window")
    baseline_len = window_phrase(windows.get("baseline"), "the baseline")
    sentences_of = KIND_SENTENCES.get(kind)
    sentences = sentences_of(kind, evidence, current_len, baseline_len) if sentences_of else []
    chance = _chance(evidence)
    if chance:
        sentences.append(chance)
    return sentences


def window_dates(evidence: dict) -> list[tuple[str, str]]:
    """(label, 'from – to') for the facts list."""
    out = []
    for key, label in (("current", "Current window"), ("baseline", "Compared with")):
        window = (evidence.get("windows") or {}).get(key) or {}
        if window.get("from") and window.get("to"):
            out.append((label, f"{window['from']} to {window['to']}"))
    return out
