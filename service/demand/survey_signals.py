"""survey_gap: what employers told a credential's surveys, read as alert candidates.

Two signals, each only with enough respondents (a single employer's opinion is an anecdote, not a gap):
- a competency employers rate low: among the respondents who rated its importance (a "don't know" is no
  rating), the share answering a low value (`survey_low_values`, or a number at or below
  `survey_low_rating`) reaches `survey_low_share`;
- a concept employers name as missing (skills read from the "missing skills" open answers) that the credential
  does not cover, named by at least `survey_missing_share` of the respondents.
Responses count when submitted within the drift run's baseline and current windows (the last 15 months by
default), so a survey from years ago does not keep raising alerts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.detection import Candidate, Windows
from service.demand.statistics import cohens_h, severity_for
from service.settings import DriftSettings
from surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveySkillMention

IMPORTANCE_ROLE = "importance"
MISSING_ROLE = "missing"
NO_RATING = ("dont_know", "", None)
QUOTE_WIDTH = 120


@dataclass(slots=True)
class Rating:
    response_id: int
    value: object


@dataclass(slots=True)
class Naming:
    response_id: int
    concept_id: str
    label: str
    answer: str
    start: int
    end: int


@dataclass(slots=True)
class SurveyEvidence:
    """One credential's survey material within the window."""

    respondents: int = 0
    survey_ids: set[int] = field(default_factory=set)
    ratings: dict[int, list[Rating]] = field(default_factory=dict)  # competency id -> ratings
    namings: list[Naming] = field(default_factory=list)


def _bounds(windows: Windows) -> tuple[datetime, datetime]:
    return (
        datetime.combine(windows.baseline_start, time(), UTC),
        datetime.combine(windows.as_of + timedelta(days=1), time(), UTC),
    )


async def survey_evidence(session: AsyncSession, org_id: int, windows: Windows) -> dict[int, SurveyEvidence]:
    """Submitted responses, importance ratings and missing-skill mentions per credential, three
    queries in all.
    """
    start, end = _bounds(windows)
    submitted = and_(
        SurveyResponse.org_id == org_id,
        SurveyResponse.status == "submitted",
        SurveyResponse.submitted_at >= start,
        SurveyResponse.submitted_at < end,
    )
    out: dict[int, SurveyEvidence] = {}
    rows = await session.execute(
        select(Survey.credential_id, Survey.id, func.count(SurveyResponse.id))
        .join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .where(submitted, Survey.credential_id.is_not(None))
        .group_by(Survey.credential_id, Survey.id)
    )
    for cred_id, survey_id, count in rows:
        evidence = out.setdefault(cred_id, SurveyEvidence())
        evidence.respondents += int(count)
        evidence.survey_ids.add(survey_id)
    if not out:
        return out
    await _add_ratings(session, submitted, out)
    await _add_namings(session, submitted, out)
    return out


async def _add_ratings(
    session: AsyncSession, submitted: ColumnElement[bool], out: dict[int, SurveyEvidence]
) -> None:
    """Each credential's importance ratings per competency."""
    ratings = await session.execute(
        select(
            Survey.credential_id, SurveyQuestion.competency_id, SurveyAnswer.response_id, SurveyAnswer.value
        )
        .join(SurveyQuestion, SurveyQuestion.survey_id == Survey.id)
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            submitted,
            Survey.credential_id.is_not(None),
            SurveyQuestion.role == IMPORTANCE_ROLE,
            SurveyQuestion.competency_id.is_not(None),
        )
    )
    for cred_id, comp_id, response_id, value in ratings:
        out[cred_id].ratings.setdefault(comp_id, []).append(Rating(response_id, value))


async def _add_namings(
    session: AsyncSession, submitted: ColumnElement[bool], out: dict[int, SurveyEvidence]
) -> None:
    """Each credential's skills named as missing, with the answer they were named in."""
    namings = await session.execute(
        select(
            Survey.credential_id,
            SurveySkillMention.response_id,
            SurveySkillMention.concept_id,
            SurveySkillMention.concept_label,
            SurveySkillMention.text,
            SurveySkillMention.start,
            SurveySkillMention.end,
            SurveyAnswer.value,
        )
        .join(SurveyQuestion, SurveyQuestion.id == SurveySkillMention.question_id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .join(SurveyResponse, SurveyResponse.id == SurveySkillMention.response_id)
        .outerjoin(
            SurveyAnswer,
            and_(
                SurveyAnswer.response_id == SurveySkillMention.response_id,
                SurveyAnswer.question_id == SurveySkillMention.question_id,
            ),
        )
        .where(
            submitted,
            Survey.credential_id.is_not(None),
            SurveyQuestion.role == MISSING_ROLE,
            SurveySkillMention.concept_id.is_not(None),
        )
        .order_by(SurveySkillMention.response_id, SurveySkillMention.start)
    )
    for cred_id, response_id, concept_id, label, span, s, e, answer in namings:
        out[cred_id].namings.append(Naming(response_id, concept_id, label or span, str(answer or span), s, e))


def quote(naming: Naming) -> dict:
    lo, hi = max(0, naming.start - QUOTE_WIDTH), min(len(naming.answer), naming.end + QUOTE_WIDTH)
    return {
        "response_id": naming.response_id,
        "concept_id": naming.concept_id,
        "quote": naming.answer[lo:hi],
        "match_start": naming.start - lo,
        "match_end": naming.end - lo,
    }


def _is_low(value: object, drift: DriftSettings) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value <= drift.survey_low_rating
    return str(value) in drift.survey_low_values


def _severity(threshold: float, share: float, drift: DriftSettings) -> str:
    """Reaching the threshold with enough respondents is medium; high once Cohen's h above it passes the
    distance between the medium and high effect sizes."""
    return severity_for(
        cohens_h(threshold, share) + drift.severity_medium, drift.severity_medium, drift.severity_high
    )


def survey_candidates(
    credential_name: str,
    evidence: SurveyEvidence,
    competency_names: dict[int, str],
    is_covered: Callable[[list[tuple[str, str]]], dict[str, list[dict]]],
    windows: Windows,
    drift: DriftSettings,
) -> list[Candidate]:
    """survey_gap candidates for one credential (pure): competencies employers rate low, and concepts they
    name as missing that the credential does not cover."""
    base = {
        "as_of": windows.as_of.isoformat(),
        "windows": windows.to_dict(),
        "respondents": evidence.respondents,
        "surveys": sorted(evidence.survey_ids),
    }
    out = _low_rating_candidates(evidence, competency_names, base, drift)
    if evidence.respondents >= drift.survey_min_respondents:
        out += _named_missing_candidates(credential_name, evidence, is_covered, base, drift)
    return out


def _low_rating_candidates(
    evidence: SurveyEvidence, competency_names: dict[int, str], base: dict, drift: DriftSettings
) -> list[Candidate]:
    out: list[Candidate] = []
    for comp_id, ratings in sorted(evidence.ratings.items()):
        rated = [r for r in ratings if r.value not in NO_RATING]
        low = [r for r in rated if _is_low(r.value, drift)]
        if len(rated) < drift.survey_min_respondents or not rated:
            continue
        share = len(low) / len(rated)
        if share < drift.survey_low_share:
            continue
        name = competency_names.get(comp_id, f"competency {comp_id}")
        answers: dict[str, int] = {}
        for r in ratings:
            answers[str(r.value)] = answers.get(str(r.value), 0) + 1
        out.append(
            Candidate(
                kind="survey_gap",
                subject=f"competency:{comp_id}",
                competency_id=comp_id,
                title=f"{len(low)} of {len(rated)} employers rate \u201c{_short(name)}\u201d "
                "as low importance",
                severity=_severity(drift.survey_low_share, share, drift),
                evidence={
                    **base,
                    "signal": "low_rating",
                    "competency": {"id": comp_id, "text": name},
                    "rated": len(rated),
                    "low": len(low),
                    "share": round(share, 4),
                    "threshold": drift.survey_low_share,
                    "answers": answers,
                    "effect": round(share, 4),
                    "survey_quotes": [],
                    "snippets": [],
                },
            )
        )
    return out


def _named_missing_candidates(
    credential_name: str,
    evidence: SurveyEvidence,
    is_covered: Callable[[list[tuple[str, str]]], dict[str, list[dict]]],
    base: dict,
    drift: DriftSettings,
) -> list[Candidate]:
    out: list[Candidate] = []
    by_concept: dict[str, list[Naming]] = {}
    for naming in evidence.namings:
        by_concept.setdefault(naming.concept_id, []).append(naming)
    labels = {cid: names[0].label for cid, names in by_concept.items()}
    frequent = {
        cid: names
        for cid, names in by_concept.items()
        if len({n.response_id for n in names}) / evidence.respondents >= drift.survey_missing_share
    }
    covered = is_covered([(cid, labels[cid]) for cid in sorted(frequent)]) if frequent else {}
    for cid, names in sorted(frequent.items()):
        if covered.get(cid):
            continue
        who = len({n.response_id for n in names})
        share = who / evidence.respondents
        seen: set[int] = set()
        quotes = []
        for naming in names:
            if naming.response_id not in seen and len(quotes) < drift.max_snippets:
                seen.add(naming.response_id)
                quotes.append(quote(naming))
        out.append(
            Candidate(
                kind="survey_gap",
                subject=f"concept:{cid}",
                concept_id=cid,
                title=f"{who} of {evidence.respondents} employers name \u201c{labels[cid]}\u201d as missing; "
                f"{credential_name} does not cover it",
                severity=_severity(drift.survey_missing_share, share, drift),
                evidence={
                    **base,
                    "signal": "named_missing",
                    "concept": {"id": cid, "label": labels[cid]},
                    "named_by": who,
                    "share": round(share, 4),
                    "threshold": drift.survey_missing_share,
                    "effect": round(share, 4),
                    "survey_quotes": quotes,
                    "snippets": [],
                },
            )
        )
    return out


def quotes_for(evidence: SurveyEvidence | None, concept_id: str, limit: int) -> list[dict]:
    """Employers' words about a concept (for an emerging_skill alert's evidence)."""
    if evidence is None:
        return []
    out, seen = [], set()
    for naming in evidence.namings:
        if naming.concept_id == concept_id and naming.response_id not in seen and len(out) < limit:
            seen.add(naming.response_id)
            out.append(quote(naming))
    return out


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
