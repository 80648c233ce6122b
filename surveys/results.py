"""Loading submitted responses for results and exports (aggregated by surveys.stats, written by surveys.exports)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse, SurveySkillMention
from surveys.stats import compute_results
from surveys.store import as_definition, list_questions


async def submitted_responses(
    session: AsyncSession, survey: Survey, codes: dict[int, str]
) -> list[dict[str, Any]]:
    """One mapping per submitted response: fixed columns plus "answers" (question code → value)."""
    heads = (
        await session.execute(
            select(
                SurveyResponse.id,
                SurveyResponse.language,
                SurveyResponse.submitted_at,
                SurveyInvitation.employer,
                SurveyInvitation.name,
            )
            .join(SurveyInvitation, SurveyInvitation.id == SurveyResponse.invitation_id)
            .where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.org_id == survey.org_id,
                SurveyResponse.status == "submitted",
            )
            .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
        )
    ).all()
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    answer, response = SurveyAnswer.__table__, SurveyResponse.__table__  # Core: tens of thousands of rows
    rows = await session.execute(
        select(answer.c.response_id, answer.c.question_id, answer.c.value)
        .join(response, response.c.id == answer.c.response_id)
        .where(
            # Scoped through the response (the survey is the organisation's). No filter on the answer's own
            # org_id: with stale statistics right after a burst of submissions, PostgreSQL would AND that
            # index into every response's lookup.
            response.c.survey_id == survey.id,
            response.c.org_id == survey.org_id,
            response.c.status == "submitted",
        )
    )
    for response_id, question_id, value in rows:
        if question_id in codes:
            answers[response_id][codes[question_id]] = value
    return [
        {
            "response_id": h.id,
            "employer": h.employer,
            "name": h.name,
            "language": h.language,
            "submitted_at": h.submitted_at,
            "answers": answers.get(h.id, {}),
        }
        for h in heads
    ]


async def survey_results(session: AsyncSession, survey: Survey) -> dict[str, Any]:
    questions = await list_questions(session, survey.id)
    definitions = [as_definition(q) for q in questions]
    codes = {q.id: q.code for q in questions}
    responses = await submitted_responses(session, survey, codes)
    by_response = {r["response_id"]: r["answers"] for r in responses}
    mention_rows = await session.execute(
        select(
            SurveySkillMention.response_id,
            SurveySkillMention.question_id,
            SurveySkillMention.concept_id,
            SurveySkillMention.concept_label,
            SurveySkillMention.text,
        )
        .where(SurveySkillMention.survey_id == survey.id, SurveySkillMention.org_id == survey.org_id)
        .order_by(SurveySkillMention.id)
    )
    mentions = [
        {
            "response_id": m.response_id,
            "concept_id": m.concept_id,
            "concept_label": m.concept_label,
            "text": m.text,
            "answer": by_response.get(m.response_id, {}).get(codes.get(m.question_id, "")),
        }
        for m in mention_rows
    ]
    pending = await session.scalar(
        select(SurveyResponse.id)
        .where(
            SurveyResponse.survey_id == survey.id,
            SurveyResponse.status == "submitted",
            SurveyResponse.extraction_status == "pending",
        )
        .limit(1)
    )
    failed = (
        await session.execute(
            select(SurveyResponse.id, SurveyResponse.extraction_attempts, SurveyResponse.extraction_error)
            .where(SurveyResponse.survey_id == survey.id, SurveyResponse.extraction_status == "failed")
            .order_by(SurveyResponse.id)
        )
    ).all()
    result = compute_results(
        definitions, [{"_id": r["response_id"], **r["answers"]} for r in responses], mentions
    )
    invited = await session.scalar(
        select(func.count()).select_from(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
    )
    return {
        "survey_id": survey.id,
        "status": survey.status,
        "invited": int(invited or 0),
        "missing_skills_pending": pending is not None,
        "missing_skills_failed": [  # responses whose open answers could not be read (after every attempt)
            {"response_id": rid, "attempts": attempts, "error": error} for rid, attempts, error in failed
        ],
        **result,
    }
