"""The respondent's side in the database: find a link's survey, keep the server-side draft, submit once.

This is the form's hot path (thousands of employers may submit at once), so it speaks SQLAlchemy Core on the
tables: plain rows in, a handful of statements per request, no ORM unit of work. The hot path's statements
are built once, here, with bound parameters, so SQLAlchemy compiles each of them once per process;
PostgreSQL's `INSERT … ON CONFLICT` cannot be cached by SQLAlchemy 2.0 (it is compiled on every execution),
so it is kept to the paths that can meet a conflict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Integer, Row, Text, Update, bindparam, cast, delete, func, insert, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.answers import missing_required
from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from surveys.outbox import cancel_mail
from surveys.questions import is_visible
from surveys.store import QUESTION_FIELDS
from surveys.tokens import token_hash

SURVEY = Survey.__table__
INVITATION = SurveyInvitation.__table__
RESPONSE = SurveyResponse.__table__
ANSWER = SurveyAnswer.__table__
QUESTION = SurveyQuestion.__table__
INVITATION_COLUMNS = (INVITATION.c.id, INVITATION.c.status, INVITATION.c.language, INVITATION.c.email)
RESPONSE_COLUMNS = (
    RESPONSE.c.id,
    RESPONSE.c.status,
    RESPONSE.c.page,
    RESPONSE.c.language,
    RESPONSE.c.submitted_at,
)

# The link's invitation, survey and draft in one row, by token hash; the form's POST locks the invitation row.
_LINK = (
    select(*INVITATION_COLUMNS, SURVEY, *(c.label(f"r_{c.name}") for c in RESPONSE_COLUMNS))
    .join_from(INVITATION, SURVEY, SURVEY.c.id == INVITATION.c.survey_id)
    .outerjoin(RESPONSE, RESPONSE.c.invitation_id == INVITATION.c.id)
    .where(INVITATION.c.token_hash == bindparam("link_token_hash"))
)
_LINK_LOCKED = _LINK.with_for_update(of=INVITATION)
_RESPONSE_BY_INVITATION = select(*RESPONSE_COLUMNS).where(
    RESPONSE.c.invitation_id == bindparam("link_invitation_id")
)
_ANSWERS_OF = select(ANSWER.c.question_id, ANSWER.c.value).where(
    ANSWER.c.response_id == bindparam("link_response_id")
)


def _first_submit() -> Update:
    """One PostgreSQL statement for a link's first and final submit: the response (already submitted), its
    answers (from two parallel arrays, unnested) and the invitation, with the new response's id returned."""
    now = bindparam("at", type_=DateTimeUTC(timezone=True))
    org_id = bindparam("response_org_id", type_=Integer)
    invitation_id = bindparam("link_invitation_id", type_=Integer)
    response = (
        insert(RESPONSE)
        .values(
            org_id=org_id,
            survey_id=bindparam("response_survey_id"),
            invitation_id=invitation_id,
            status="submitted",
            page=bindparam("response_page"),
            language=bindparam("response_language"),
            started_at=now,
            updated_at=now,
            submitted_at=now,
            extraction_status="pending",
            extraction_attempts=0,  # an insert inside a CTE gets no column defaults: name every NOT NULL one
        )
        .returning(RESPONSE.c.id)
        .cte("new_response")
    )
    given = (
        func.unnest(
            bindparam("question_ids", type_=ARRAY(Integer)), bindparam("answer_values", type_=ARRAY(Text))
        )
        .table_valued("question_id", "value")
        .render_derived(name="given")
    )
    answers = (
        insert(ANSWER)
        .from_select(
            ["org_id", "response_id", "question_id", "value", "updated_at"],
            select(org_id, response.c.id, given.c.question_id, cast(given.c.value, JSONB), now)
            .select_from(response)
            .join(given, true()),
        )
        .cte("new_answers")
    )
    return (
        update(INVITATION)
        .where(INVITATION.c.id == invitation_id)
        .values(status="submitted")
        .add_cte(response)
        .add_cte(answers)
        .returning(select(response.c.id).scalar_subquery())
    )


_FIRST_SUBMIT = _first_submit()

_INVITATION_SUBMITTED = (
    update(INVITATION).where(INVITATION.c.id == bindparam("link_invitation_id")).values(status="submitted")
)
_INVITATION_STARTED = (
    update(INVITATION)
    .where(INVITATION.c.id == bindparam("link_invitation_id"), INVITATION.c.status == "pending")
    .values(status="started")
)
_RESPONSE_SUBMITTED = (
    update(RESPONSE)
    .where(RESPONSE.c.id == bindparam("link_response_id"), RESPONSE.c.status == "draft")
    .values(status="submitted", submitted_at=bindparam("at"), updated_at=bindparam("at"))
)


@dataclass
class InvitationState:
    id: int
    status: str
    language: str
    email: str | None


@dataclass
class ResponseState:
    id: int
    status: str
    page: int
    language: str
    submitted_at: datetime | None


@dataclass
class Link:
    """What a personal link opens: the invitation, its survey (a row) and, once started, the draft."""

    invitation: InvitationState
    survey: Row
    questions: list[dict[str, Any]]
    response: ResponseState | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    locked: bool = False  # the invitation row is locked until the transaction ends (PostgreSQL)

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


def is_live(survey: Any, now: datetime | None = None) -> bool:
    """Links work while the survey is open and not past its closing time."""
    now = now or datetime.now(UTC)
    return survey.status == "open" and (survey.closes_at is None or survey.closes_at > now)


async def _questions(session: AsyncSession, survey: Any, cache: dict) -> list[dict[str, Any]]:
    """An open survey's questions never change, so they are cached per survey for the form's hot path."""
    key = (survey.id, survey.opened_at)
    cached = cache.get(key)
    if cached is None:
        rows = await session.execute(
            select(QUESTION.c.id, *(QUESTION.c[name] for name in QUESTION_FIELDS))
            .where(QUESTION.c.survey_id == survey.id)
            .order_by(QUESTION.c.position)
        )
        cached = [dict(row._mapping) for row in rows]
        if len(cache) > 1000:
            cache.clear()
        cache[key] = cached
    return cached


async def _response(session: AsyncSession, invitation_id: int) -> ResponseState | None:
    row = (await session.execute(_RESPONSE_BY_INVITATION, {"link_invitation_id": invitation_id})).first()
    return ResponseState(*row) if row is not None else None


async def open_link(session: AsyncSession, token: str, cache: dict, *, lock: bool = False) -> Link | None:
    """The link's survey and draft, or None when the link is unknown or its survey is not live.

    One query finds invitation, survey and draft; one more reads the draft's answers. With `lock`
    (PostgreSQL) the invitation row stays locked until the request's transaction ends, so two requests on one
    link (a double click) run one after the other. A row joined into the locking query comes from the snapshot
    taken before waiting for the lock, while the invitation itself is re-read: so when the invitation shows
    that someone got there first (it is no longer pending), the draft is read again after the lock.
    """
    locking = lock and session.bind.dialect.name == "postgresql"
    query = _LINK_LOCKED if locking else _LINK
    row = (await session.execute(query, {"link_token_hash": token_hash(token)})).first()
    if row is None:
        return None
    values = row._mapping
    survey_row = _SurveyRow({c.name: values[c] for c in SURVEY.c})
    if not is_live(survey_row):
        return None
    invitation = InvitationState(*(values[c] for c in INVITATION_COLUMNS))
    link = Link(
        invitation=invitation,
        survey=survey_row,
        questions=await _questions(session, survey_row, cache),
        locked=locking,
    )
    if locking and invitation.status != "pending":
        link.response = await _response(session, invitation.id)
    elif values["r_id"] is not None:
        link.response = ResponseState(*(values[f"r_{c.name}"] for c in RESPONSE_COLUMNS))
    if link.response is not None:
        await _load_answers(session, link)
    return link


async def _load_answers(session: AsyncSession, link: Link) -> None:
    by_id = {q["id"]: q["code"] for q in link.questions}
    for question_id, value in await session.execute(_ANSWERS_OF, {"link_response_id": link.response.id}):
        if question_id in by_id:
            link.answers[by_id[question_id]] = value


class _SurveyRow(dict):
    """A survey's columns, read as attributes (survey.title)."""

    __getattr__ = dict.__getitem__


async def ensure_response(
    session: AsyncSession, link: Link, language: str, page: int = 1, *, at: datetime | None = None
) -> ResponseState:
    """The draft of this link, created on first save (a concurrent first save finds the same row).

    Creating the draft marks the invitation started in the same transaction: so an invitation that is still
    pending once its row lock is held has no draft (what `submit_at_once` relies on). `at` is the moment
    stamped on what is written (default now; the demo dates its sample responses from its own day).
    """
    if link.response is not None:
        return link.response
    now = at or datetime.now(UTC)
    stmt = (
        _insert(session)(RESPONSE)
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
        .returning(*RESPONSE_COLUMNS)
    )
    row = (await session.execute(stmt)).first()
    if row is not None:
        link.response = ResponseState(*row)
    else:  # a request on the same link created the draft meanwhile: take it up with its answers
        link.response = await _response(session, link.invitation.id)
        await _load_answers(session, link)
    if link.invitation.status == "pending":
        await session.execute(_INVITATION_STARTED, {"link_invitation_id": link.invitation.id})
        link.invitation.status = "started"
    return link.response


async def save_answers(
    session: AsyncSession,
    link: Link,
    values: dict[str, Any],
    page: int,
    language: str,
    *,
    at: datetime | None = None,
) -> None:
    """Store a page's answers in the draft (None deletes an answer) and remember where the respondent is.

    `at` as in `ensure_response`."""
    fresh = link.response is None
    response = await ensure_response(session, link, language, page, at=at)
    by_code = link.by_code
    now = at or datetime.now(UTC)
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
        stmt = _insert(session)(ANSWER)
        stmt = stmt.on_conflict_do_update(
            index_elements=["response_id", "question_id"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        await session.execute(stmt, keep)
    if drop:
        await session.execute(
            delete(ANSWER).where(ANSWER.c.response_id == response.id, ANSWER.c.question_id.in_(drop))
        )
    for code, value in values.items():
        if value is None:
            link.answers.pop(code, None)
        else:
            link.answers[code] = value
    if not fresh and (response.page, response.language) != (page, language):
        await session.execute(
            update(RESPONSE)
            .where(RESPONSE.c.id == response.id)
            .values(page=page, language=language, updated_at=now)
        )
        response.page, response.language = page, language


async def submit(session: AsyncSession, link: Link, *, at: datetime | None = None) -> bool:
    """Make the draft final, once: True for the request that did it, False when it was already final.

    The conditional UPDATE is the idempotency key: of two racing submits (a double click, a retried
    request) exactly one sees the draft, the other changes nothing. `at` as in `ensure_response`.
    """
    response = link.response
    if response is None:
        return False
    hidden = [
        q["id"] for q in link.questions if not is_visible(q, link.answers) and q["code"] in link.answers
    ]
    now = at or datetime.now(UTC)
    result = await session.execute(_RESPONSE_SUBMITTED, {"link_response_id": response.id, "at": now})
    if result.rowcount != 1:
        return False
    if hidden:  # answers to questions a later change of answer hid are not part of the response
        await session.execute(
            delete(ANSWER).where(ANSWER.c.response_id == response.id, ANSWER.c.question_id.in_(hidden))
        )
    await session.execute(_INVITATION_SUBMITTED, {"link_invitation_id": link.invitation.id})
    if link.invitation.email:  # only invitees with an address have queued mail
        await cancel_mail(session, [link.invitation.id], "submitted")
    response.status, response.submitted_at = "submitted", now
    link.invitation.status = "submitted"
    return True


def can_submit_at_once(link: Link) -> bool:
    """True when this request holds the link's row lock and the link has no draft: no other request can
    create one before this transaction ends, so the response can be written final straight away."""
    return link.locked and link.response is None and link.invitation.status == "pending"


async def submit_at_once(
    session: AsyncSession, link: Link, values: dict[str, Any], page: int, language: str
) -> bool:
    """A link's first and final submit in one statement (PostgreSQL): it stores what `save_answers` then
    `submit` would store, and marks the invitation submitted.

    Only when `can_submit_at_once(link)`; False, with nothing written, when a required question is unanswered
    (the caller then saves the draft and shows the errors as usual).
    """
    answers = {code: value for code, value in values.items() if value is not None}
    if missing_required(link.questions, answers):
        return False
    by_code = link.by_code
    # answers to questions that the other answers hide are not part of the response (as in `submit`)
    answers = {code: value for code, value in answers.items() if is_visible(by_code[code], answers)}
    now = datetime.now(UTC)
    response_id = (
        await session.execute(
            _FIRST_SUBMIT,
            {
                "at": now,
                "response_org_id": link.survey.org_id,
                "response_survey_id": link.survey.id,
                "link_invitation_id": link.invitation.id,
                "response_page": page,
                "response_language": language,
                "question_ids": [by_code[code]["id"] for code in answers],
                "answer_values": [json.dumps(value) for value in answers.values()],
            },
        )
    ).scalar_one()
    if link.invitation.email:  # only invitees with an address have queued mail
        await cancel_mail(session, [link.invitation.id], "submitted")
    link.invitation.status = "submitted"
    link.answers.update(answers)
    link.response = ResponseState(response_id, "submitted", page, language, now)
    return True
