"""What a personal link opens, read from the database: the invitation, its survey, its questions and the draft.

The form's hot path speaks SQLAlchemy Core on the tables: plain rows in, a handful of statements per request, no
ORM unit of work. Its statements are built once, here and in `respond_draft` / `respond_submit`, with bound
parameters, so SQLAlchemy compiles each of them once per process; PostgreSQL's `INSERT … ON CONFLICT` cannot be
cached by SQLAlchemy 2.0 (it is compiled on every execution), so it is kept to the paths that can meet a conflict.
On PostgreSQL the usual GET and first final submit skip even that: `respond_fast`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
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


class SurveyRow(dict):
    """A survey's columns, read as attributes (survey.title)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


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
    survey: SurveyRow
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


def dialect_insert(session: AsyncSession):  # noqa: ANN202 - a dialect insert() factory
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


def is_live(survey: Any, now: datetime | None = None) -> bool:
    """Links work while the survey is open and not past its closing time."""
    now = now or datetime.now(UTC)
    return survey.status == "open" and (survey.closes_at is None or survey.closes_at > now)


def cached_questions(survey: Any, cache: dict) -> list[dict[str, Any]] | None:
    """The survey's questions if `questions_of` has cached them (None: not yet read in this process)."""
    return cache.get((survey.id, survey.opened_at))


async def questions_of(session: AsyncSession, survey: Any, cache: dict) -> list[dict[str, Any]]:
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


async def response_of(session: AsyncSession, invitation_id: int) -> ResponseState | None:
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
    survey_row = SurveyRow({c.name: values[c] for c in SURVEY.c})
    if not is_live(survey_row):
        return None
    invitation = InvitationState(*(values[c] for c in INVITATION_COLUMNS))
    link = Link(
        invitation=invitation,
        survey=survey_row,
        questions=await questions_of(session, survey_row, cache),
        locked=locking,
    )
    if locking and invitation.status != "pending":
        link.response = await response_of(session, invitation.id)
    elif values["r_id"] is not None:
        link.response = ResponseState(*(values[f"r_{c.name}"] for c in RESPONSE_COLUMNS))
    if link.response is not None:
        await load_answers(session, link)
    return link


async def load_answers(session: AsyncSession, link: Link) -> None:
    by_id = {q["id"]: q["code"] for q in link.questions}
    for question_id, value in await session.execute(_ANSWERS_OF, {"link_response_id": link.response.id}):
        if question_id in by_id:
            link.answers[by_id[question_id]] = value
