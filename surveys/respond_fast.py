"""The form's PostgreSQL fast path: a link read and a first final submit as single asyncpg statements.

What a bare insert does and the general path (`respond_link`, `respond_submit`) does not: no BEGIN / COMMIT
round trips and no SQLAlchemy statement execution. The statements run on the request session's own pooled
connection, through asyncpg (which prepares each once per connection), outside a transaction: each one is
atomic by itself.

- `read_link` is `open_link` without the lock: the invitation, its survey and its draft in one row (the draft's
  answers in a second statement when there is a draft).
- `submit_first` stores a link's first and final submit in one statement that holds its own guarantee: the
  invitation's UPDATE only matches while the invitation is still pending, and PostgreSQL re-checks that under
  the row lock the UPDATE takes, so of two racing submits of one link exactly one inserts the response, its
  answers and cancels the invitee's queued mail; the other gets no row back, and its caller takes the general
  path, which locks the link and finds it submitted (the thank-you page within the grace period).

SQLite and every other case (a draft, a page with errors, a link already used) keep the general path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.answers import final_answers
from surveys.outbox import ACTIVE
from surveys.respond_link import (
    SURVEY,
    InvitationState,
    Link,
    ResponseState,
    SurveyRow,
    is_live,
    questions_of,
)
from surveys.tokens import token_hash

_SURVEY_NAMES = [c.name for c in SURVEY.c]
# the column names come from the table metadata, the token is a parameter
_LINK_SQL = (
    "SELECT i.id, i.status, i.language, i.email, "  # noqa: S608
    "r.id, r.status, r.page, r.language, r.submitted_at, "
    + ", ".join(f"s.{name}" for name in _SURVEY_NAMES)
    + " FROM survey_invitation i JOIN survey s ON s.id = i.survey_id "
    "LEFT JOIN survey_response r ON r.invitation_id = i.id WHERE i.token_hash = $1"
)
_ANSWERS_SQL = "SELECT question_id, value::text FROM survey_answer WHERE response_id = $1"
# $1 invitation, $2 org, $3 survey, $4 page, $5 language, $6 now, $7 question ids, $8 answers (JSON text),
# $9 the outbox statuses still to send
_SUBMIT_FIRST_SQL = """
WITH invitation AS (
    UPDATE survey_invitation SET status = 'submitted' WHERE id = $1 AND status = 'pending' RETURNING id
), response AS (
    INSERT INTO survey_response (org_id, survey_id, invitation_id, status, page, language, started_at,
        updated_at, submitted_at, extraction_status, extraction_attempts)
    SELECT $2, $3, invitation.id, 'submitted', $4, $5, $6, $6, $6, 'pending', 0 FROM invitation
    RETURNING id
), answers AS (
    INSERT INTO survey_answer (org_id, response_id, question_id, value, updated_at)
    SELECT $2, response.id, given.question_id, given.value::jsonb, $6
    FROM response, unnest($7::integer[], $8::text[]) AS given(question_id, value)
), mail AS (
    UPDATE outbox_email SET status = 'cancelled', error = 'submitted', body = '[cancelled]', link_token = NULL
    WHERE invitation_id = (SELECT id FROM invitation) AND status = ANY($9::text[])
)
SELECT id FROM response
"""


def applies(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


async def _driver(session: AsyncSession) -> Any:
    """The asyncpg connection under the request session (checked out from its pool if not yet)."""
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


async def read_invitation(driver: Any, token: str) -> tuple[Link, Any] | None:
    """The link's invitation, survey and draft state (no questions yet) in one statement on an asyncpg
    connection, with the draft's id (None without a draft); None when the link is unknown or not live."""
    row = await driver.fetchrow(_LINK_SQL, token_hash(token))
    if row is None:
        return None
    survey = SurveyRow(zip(_SURVEY_NAMES, row[9:], strict=True))
    if not is_live(survey):
        return None
    link = Link(invitation=InvitationState(*row[:4]), survey=survey, questions=[])
    if row[4] is not None:
        link.response = ResponseState(*row[4:9])
    return link, row[4]


async def read_link(
    session: AsyncSession, token: str, cache: dict, *, with_answers: bool = True
) -> Link | None:
    """As `open_link(session, token, cache)`: None when the link is unknown or its survey is not live.

    Without `with_answers` a draft's answers are not read (for a caller that only goes on without a draft)."""
    driver = await _driver(session)
    found = await read_invitation(driver, token)
    if found is None:
        return None
    link, response_id = found
    link.questions = await questions_of(session, link.survey, cache)
    if response_id is not None and with_answers:
        by_id = {q["id"]: q["code"] for q in link.questions}
        for question_id, value in await driver.fetch(_ANSWERS_SQL, response_id):
            if question_id in by_id:
                link.answers[by_id[question_id]] = json.loads(value)
    return link


def can_submit_first(link: Link) -> bool:
    """The link has no draft and was pending when read: `submit_first` may store it."""
    return link.response is None and link.invitation.status == "pending"


async def submit_first(
    session: AsyncSession, link: Link, values: dict[str, Any], page: int, language: str
) -> bool:
    """Store the link's first and final submit (what `respond_submit.submit_at_once` stores) in one statement.

    False, with nothing written, when a required question is unanswered or the invitation is no longer
    pending (another request got there first): the caller then takes the general path.
    """
    return await submit_first_on(await _driver(session), link, values, page, language)


async def submit_first_on(driver: Any, link: Link, values: dict[str, Any], page: int, language: str) -> bool:
    """`submit_first` on an asyncpg connection outside a transaction (the statement is atomic by itself)."""
    answers = final_answers(link.questions, values)
    if answers is None:
        return False
    by_code = link.by_code
    now = datetime.now(UTC)
    response_id = await driver.fetchval(
        _SUBMIT_FIRST_SQL,
        link.invitation.id,
        link.survey.org_id,
        link.survey.id,
        page,
        language,
        now,
        [by_code[code]["id"] for code in answers],
        [json.dumps(value) for value in answers.values()],
        list(ACTIVE),
    )
    if response_id is None:
        return False
    link.invitation.status = "submitted"
    link.answers.update(answers)
    link.response = ResponseState(response_id, "submitted", page, language, now)
    return True
