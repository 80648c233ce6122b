"""The respondent's side in the database: find a link's survey, keep the server-side draft, submit once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from surveys.outbox import cancel_mail
from surveys.questions import is_visible
from surveys.store import QUESTION_FIELDS
from surveys.tokens import token_hash


@dataclass
class Link:
    """What a personal link opens: the invitation, its survey and (once started) the draft."""

    invitation: SurveyInvitation
    survey: Survey
    questions: list[dict[str, Any]]
    response: SurveyResponse | None = None
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        return self.invitation.status == "submitted" or (
            self.response is not None and self.response.status == "submitted"
        )

    @property
    def by_code(self) -> dict[str, dict[str, Any]]:
        return {q["code"]: q for q in self.questions}


def _insert(session: AsyncSession):  # noqa: ANN202 - a dialect insert() factory
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


def is_live(survey: Survey, now: datetime | None = None) -> bool:
    """Links work while the survey is open and not past its closing time."""
    now = now or datetime.now(UTC)
    return survey.status == "open" and (survey.closes_at is None or survey.closes_at > now)


async def _questions(session: AsyncSession, survey: Survey, cache: dict) -> list[dict[str, Any]]:
    """An open survey's questions never change, so they are cached per survey for the form's hot path."""
    key = (survey.id, survey.opened_at)
    cached = cache.get(key)
    if cached is None:
        rows = await session.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey.id)
            .order_by(SurveyQuestion.position)
        )
        cached = [{"id": q.id, **{name: getattr(q, name) for name in QUESTION_FIELDS}} for q in rows]
        if len(cache) > 1000:
            cache.clear()
        cache[key] = cached
    return cached


async def open_link(session: AsyncSession, token: str, cache: dict, *, lock: bool = False) -> Link | None:
    """The link's survey and draft, or None when the link is unknown or its survey is not live.

    One query finds invitation, survey and draft; a second reads the draft's answers when there is one. With
    `lock` (PostgreSQL), the invitation row stays locked until the request's transaction ends, so that two
    requests on one link (a double click) run one after the other.
    """
    locking = lock and session.bind.dialect.name == "postgresql"
    query = (
        select(SurveyInvitation, Survey, SurveyResponse)
        .join(Survey, Survey.id == SurveyInvitation.survey_id)
        .where(SurveyInvitation.token_hash == token_hash(token))
    )
    if locking:
        # The draft is read after the lock is granted: a row joined into the locking query would come from the
        # snapshot taken before waiting, and miss what the request holding the lock just committed.
        query = query.with_only_columns(SurveyInvitation, Survey).with_for_update(of=SurveyInvitation)
    else:
        query = query.outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
    row = (await session.execute(query)).first()
    if row is None or not is_live(row.Survey):
        return None
    link = Link(
        invitation=row.SurveyInvitation,
        survey=row.Survey,
        questions=await _questions(session, row.Survey, cache),
    )
    if locking:
        link.response = await session.scalar(
            select(SurveyResponse).where(SurveyResponse.invitation_id == link.invitation.id)
        )
    else:
        link.response = row.SurveyResponse
    if link.response is not None:
        by_id = {q["id"]: q["code"] for q in link.questions}
        for question_id, value in await session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.value).where(
                SurveyAnswer.response_id == link.response.id
            )
        ):
            if question_id in by_id:
                link.answers[by_id[question_id]] = value
    return link


async def ensure_response(session: AsyncSession, link: Link, language: str, page: int = 1) -> SurveyResponse:
    """The draft of this link, created on first save (a concurrent first save finds the same row)."""
    if link.response is not None:
        return link.response
    now = datetime.now(UTC)
    stmt = (
        _insert(session)(SurveyResponse)
        .values(
            org_id=link.survey.org_id,
            survey_id=link.survey.id,
            invitation_id=link.invitation.id,
            status="draft",
            page=page,
            language=language,
            started_at=now,
            updated_at=now,
            extraction_status="pending",
        )
        .on_conflict_do_nothing(index_elements=["invitation_id"])
        .returning(SurveyResponse)
    )
    link.response = (await session.execute(stmt)).scalar_one_or_none() or await session.scalar(
        select(SurveyResponse).where(SurveyResponse.invitation_id == link.invitation.id)
    )
    if link.invitation.status == "pending":
        link.invitation.status = "started"
    return link.response


async def save_answers(
    session: AsyncSession, link: Link, values: dict[str, Any], page: int, language: str
) -> None:
    """Store a page's answers in the draft (None deletes an answer) and remember where the respondent is."""
    fresh = link.response is None
    response = await ensure_response(session, link, language, page)
    by_code = link.by_code
    now = datetime.now(UTC)
    keep = [
        {
            "org_id": link.survey.org_id,
            "response_id": response.id,
            "question_id": by_code[code]["id"],
            "value": value,
            "updated_at": now,
        }
        for code, value in values.items()
        if value is not None
    ]
    drop = [by_code[code]["id"] for code, value in values.items() if value is None]
    if keep:
        stmt = _insert(session)(SurveyAnswer)
        stmt = stmt.on_conflict_do_update(
            index_elements=["response_id", "question_id"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        await session.execute(stmt, keep)
    if drop:
        await session.execute(
            delete(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.question_id.in_(drop)
            )
        )
    for code, value in values.items():
        if value is None:
            link.answers.pop(code, None)
        else:
            link.answers[code] = value
    if not fresh and (response.page, response.language) != (page, language):
        response.page, response.language, response.updated_at = page, language, now


async def submit(session: AsyncSession, link: Link) -> bool:
    """Make the draft final, once: True for the request that did it, False when it was already final.

    The conditional UPDATE is the idempotency key: of two racing submits (a double click, a retried
    request) exactly one sees the draft, the other changes nothing.
    """
    response = link.response
    if response is None:
        return False
    hidden = [
        q["id"] for q in link.questions if not is_visible(q, link.answers) and q["code"] in link.answers
    ]
    now = datetime.now(UTC)
    result = await session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.id == response.id, SurveyResponse.status == "draft")
        .values(status="submitted", submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    if hidden:  # answers to questions a later change of answer hid are not part of the response
        await session.execute(
            delete(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.question_id.in_(hidden)
            )
        )
    link.invitation.status = "submitted"  # flushed with the commit: one UPDATE even if it was just "started"
    if link.invitation.email:  # only invitees with an address have queued mail
        await cancel_mail(session, [link.invitation.id], "submitted")
    set_committed_value(response, "status", "submitted")  # already written by the UPDATE above
    set_committed_value(response, "submitted_at", now)
    return True
