"""How much posting data an organisation holds: all its postings and those posted since a day, the newest
posting date, and the same per source (what the overview's freshness cards and table show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.postings.models import Posting


@dataclass(frozen=True, slots=True)
class PostingTotals:
    postings: int
    since: int  # posted on or after the day asked
    newest_posted: date | None


@dataclass(frozen=True, slots=True)
class SourceTotals:
    source: str
    postings: int
    newest_posted: date | None
    last_added: datetime | None  # when the newest row of the source was stored


async def posting_totals(session: AsyncSession, org_id: int, since: date) -> PostingTotals:
    """The organisation's postings, those posted on or after `since`, and the newest posting date."""
    total, recent, newest = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(col(Posting.posted_at) >= since),
                func.max(col(Posting.posted_at)),
            ).where(col(Posting.org_id) == org_id)
        )
    ).one()
    return PostingTotals(postings=int(total or 0), since=int(recent or 0), newest_posted=newest)


async def source_totals(session: AsyncSession, org_id: int) -> list[SourceTotals]:
    """Per source (by name, A to Z): postings, newest posting date, when a posting was last stored."""
    rows = await session.execute(
        select(
            col(Posting.source),
            func.count(),
            func.max(col(Posting.posted_at)),
            func.max(col(Posting.created_at)),
        )
        .where(col(Posting.org_id) == org_id)
        .group_by(col(Posting.source))
        .order_by(col(Posting.source))
    )
    return [SourceTotals(source, int(n), newest, added) for source, n, newest, added in rows.all()]
