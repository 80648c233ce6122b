"""The final submit, once: a draft made final, or a link's first and final submit in one statement.

The conditional UPDATE of the draft (or, for a first submit, the invitation row lock) is what makes a double
POST store once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Integer, Text, Update, bindparam, cast, delete, func, insert, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.answers import final_answers
from surveys.outbox import cancel_mail
from surveys.questions import is_visible
from surveys.respond_link import ANSWER, INVITATION, RESPONSE, Link, ResponseState


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
_RESPONSE_SUBMITTED = (
    update(RESPONSE)
    .where(RESPONSE.c.id == bindparam("link_response_id"), RESPONSE.c.status == "draft")
    .values(status="submitted", submitted_at=bindparam("at"), updated_at=bindparam("at"))
)


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
    answers = final_answers(link.questions, values)
    if answers is None:
        return False
    by_code = link.by_code
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
