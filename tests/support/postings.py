"""Helpers for postings tests: sample bodies and reading rows straight from the database."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from service.db import session_scope
from service.postings.models import Posting, PostingSkill

IT_SUPPORT_HTML = (
    "<h2>About the role</h2><p>Join our help desk team.</p><h3>Requirements</h3>"
    "<ul><li>Troubleshoot Windows workstations and Active Directory accounts</li>"
    "<li>Experience with SQL and Python is required</li><li>CompTIA A+ preferred</li></ul>"
)


def posting_body(**overrides) -> dict:  # noqa: ANN003
    body = {
        "source": "acme-board",
        "external_id": uuid.uuid4().hex,
        "title": "IT Support Specialist",
        "html": IT_SUPPORT_HTML,
        "employer": "Acme Health",
        "region": "US-OH",
        "posted_at": "2026-03-02",
    }
    body.update(overrides)
    return body


async def org_postings(app, org_id: int) -> list[Posting]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return list(
            await session.scalars(select(Posting).where(Posting.org_id == org_id).order_by(Posting.id))
        )


async def mention_counts(app, org_id: int) -> dict[int, int]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        rows = await session.execute(
            select(PostingSkill.posting_id, func.count())
            .where(PostingSkill.org_id == org_id)
            .group_by(PostingSkill.posting_id)
        )
        return {posting_id: count for posting_id, count in rows.tuples()}


# The installed command, next to the interpreter running the tests.
SKILLPULSE = str(__import__("pathlib").Path(__import__("sys").executable).parent / "skillpulse")
