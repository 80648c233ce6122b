"""Surveys, the work behind the API (surveys.controllers) and the service's dashboard: both call these, so a
survey's read, its close, its progress and its exports are one thing however they are asked for.

No HTTP types here: the store raises SurveyError (not found, conflict, invalid), which the API answers as JSON
and the dashboard as its page; the table writes are in surveys.store and surveys.invitations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveys import exports, invitations, store
from surveys.models import Survey, SurveyInvitation, SurveyResponse
from surveys.outbox import cancel_mail
from surveys.results import submitted_responses

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
NO_PROGRESS = {"invited": 0, "started": 0, "submitted": 0}


@dataclass(frozen=True, slots=True)
class Export:
    """A file of a survey's submitted responses, ready to send."""

    content: bytes
    media_type: str
    filename: str


async def export_rows(
    session: AsyncSession, org_id: int, survey_id: int
) -> tuple[list[str], list[list[Any]]]:
    """The header and the raw rows (one a submitted response) of the organisation's survey."""
    survey = await store.get_survey(session, org_id, survey_id)
    questions = await store.list_questions(session, survey.id)
    definitions = [store.as_definition(q) for q in questions]
    responses = await submitted_responses(session, survey, {q.id: q.code for q in questions})
    return exports.header(definitions), exports.rows(definitions, responses)


async def export_responses(session: AsyncSession, org_id: int, survey_id: int, kind: str) -> Export:
    """responses.csv or responses.xlsx (formula-safe, see surveys.exports); XLSX is written off the loop."""
    if kind not in EXPORT_MEDIA_TYPES:
        raise ValueError(f"no export of kind {kind!r}; csv or xlsx")
    head, body = await export_rows(session, org_id, survey_id)
    if kind == "csv":
        content = exports.to_csv(head, body)
    else:
        content = await anyio.to_thread.run_sync(exports.to_xlsx, head, body)  # CPU work off the event loop
    return Export(content, EXPORT_MEDIA_TYPES[kind], f"survey-{survey_id}-responses.{kind}")


async def close_survey(session: AsyncSession, survey: Survey) -> Survey:
    """Close an open survey: its links stop taking answers; mail not yet sent to its invitees is cancelled."""
    await store.close_survey(session, survey)
    ids = [i.id for i in await invitations.list_invitations(session, survey)]
    await cancel_mail(session, ids, "survey closed")
    return survey


async def open_survey(session: AsyncSession, survey: Survey) -> Survey:
    return await store.open_survey(session, survey)


async def progress(session: AsyncSession, org_id: int) -> dict[int, dict[str, int]]:
    """Per survey of the organisation: invitations issued, started and submitted."""
    invited = await session.execute(
        select(SurveyInvitation.survey_id, SurveyInvitation.status, func.count())
        .where(SurveyInvitation.org_id == org_id)
        .group_by(SurveyInvitation.survey_id, SurveyInvitation.status)
    )
    out: dict[int, dict[str, int]] = {}
    for survey_id, status, count in invited.all():
        entry = out.setdefault(survey_id, dict(NO_PROGRESS))
        entry["invited"] += count
        if status in ("started", "submitted"):
            entry[status] += count
    return out


async def credential_surveys(
    session: AsyncSession, org_id: int, credential_id: int
) -> list[tuple[Survey, int]]:
    """The organisation's surveys about a credential, newest first, each with its submitted responses."""
    responses = (
        select(SurveyResponse.survey_id, func.count().label("n"))
        .where(SurveyResponse.org_id == org_id, SurveyResponse.status == "submitted")
        .group_by(SurveyResponse.survey_id)
        .subquery()
    )
    rows = await session.execute(
        select(Survey, func.coalesce(responses.c.n, 0))
        .outerjoin(responses, responses.c.survey_id == Survey.id)
        .where(Survey.org_id == org_id, Survey.credential_id == credential_id)
        .order_by(Survey.id.desc())
    )
    return [(survey, int(n)) for survey, n in rows.all()]


async def draft_responses(session: AsyncSession, survey: Survey) -> int:
    """Responses begun and saved but not submitted."""
    count = await session.scalar(
        select(func.count()).where(
            SurveyResponse.survey_id == survey.id,
            SurveyResponse.org_id == survey.org_id,
            SurveyResponse.status == "draft",
        )
    )
    return int(count or 0)


async def submitted_count(session: AsyncSession, org_id: int) -> int:
    """The organisation's submitted responses, over all its surveys."""
    count = await session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.org_id == org_id, SurveyResponse.status == "submitted")
    )
    return int(count or 0)
