"""The extraction queue is the `extraction_status` column: pending postings wait for a worker."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.postings.models import Posting


async def requeue(session: AsyncSession, *, version: str | None, org_id: int | None) -> int:
    """Mark postings pending again: those of another extractor version than `version` (None: every one)."""
    conditions = [Posting.extraction_status != "pending"]
    if version is not None:
        conditions.append(or_(Posting.extraction_version.is_(None), Posting.extraction_version != version))
    if org_id is not None:
        conditions.append(Posting.org_id == org_id)
    result = await session.execute(
        update(Posting).where(*conditions).values(extraction_status="pending", extraction_error=None)
    )
    return int(result.rowcount or 0)


async def pending_count(session: AsyncSession, org_id: int | None = None) -> int:
    query = select(func.count()).select_from(Posting).where(Posting.extraction_status == "pending")
    if org_id is not None:
        query = query.where(Posting.org_id == org_id)
    return int(await session.scalar(query) or 0)
