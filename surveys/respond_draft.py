"""The respondent's draft: created on first save, its answers kept page by page (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.respond_link import (
    ANSWER,
    INVITATION,
    RESPONSE,
    RESPONSE_COLUMNS,
    Link,
    ResponseState,
    dialect_insert,
    load_answers,
    response_of,
)

_INVITATION_STARTED = (
    update(INVITATION)
    .where(INVITATION.c.id == bindparam("link_invitation_id"), INVITATION.c.status == "pending")
    .values(status="started")
)


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
        dialect_insert(session)(RESPONSE)
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
        link.response = await response_of(session, link.invitation.id)
        await load_answers(session, link)
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
        stmt = dialect_insert(session)(ANSWER)
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
