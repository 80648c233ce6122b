"""Reading postings: the newest-first page with filters, one posting with its mentions; deleting postings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, nulls_last, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.rollup_store import restore, retract
from service.postings.intake import IntakeSummary
from service.postings.models import Posting, PostingSkill
from service.postings.records import NormalPosting, PostingRecord, normalise
from service.postings.schemas import (
    ConceptRef,
    IntakeItem,
    IntakeResult,
    MentionRead,
    PostingCreate,
    PostingDetail,
    PostingRead,
)


def posting_read(row: Posting) -> PostingRead:
    return PostingRead(
        id=row.id,
        source=row.source,
        external_id=row.external_id,
        url=row.url,
        title=row.title,
        employer=row.employer,
        region=row.region,
        geo=row.geo,
        occupation=row.occupation_code,
        occupation_label=row.occupation_label,
        occupation_source=row.occupation_source,
        posted_at=row.posted_at,
        content_hash=row.content_hash,
        extraction_status=row.extraction_status,
        extraction_version=row.extraction_version,
        import_source_id=row.import_source_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def record_from_create(item: PostingCreate) -> PostingRecord:
    return PostingRecord(
        source=item.source,
        external_id=item.external_id,
        title=item.title,
        text=item.text or "",
        html=item.html,
        url=item.url,
        employer=item.employer,
        region=item.region,
        occupation=item.occupation,
        posted_at=item.posted_at,
    )


def normalise_all(records: list[PostingRecord]) -> list[NormalPosting]:
    """Every record normalised, or RecordError naming the first bad one by position."""
    from service.postings.records import RecordError

    out = []
    for index, record in enumerate(records):
        try:
            out.append(normalise(record))
        except RecordError as exc:
            raise RecordError(f"postings[{index}]: {exc}") from None
    return out


def intake_result(summary: IntakeSummary) -> IntakeResult:
    return IntakeResult(
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        postings=[
            IntakeItem(
                index=i.index,
                id=i.id,
                source=i.source,
                external_id=i.external_id,
                status=i.status,
                duplicate_of=i.duplicate_of,
            )
            for i in summary.items
        ],
    )


async def list_postings(
    session: AsyncSession,
    org_id: int,
    *,
    source: str | None,
    occupation: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    offset: int,
) -> tuple[list[Posting], int]:
    conditions = [Posting.org_id == org_id]
    if source:
        conditions.append(Posting.source == source)
    if occupation:
        # "15-1232" matches every O*NET-SOC detail code under it ("15-1232.00", "15-1232.01").
        conditions.append(Posting.occupation_code.startswith(occupation, autoescape=True))
    if date_from:
        conditions.append(Posting.posted_at >= date_from)
    if date_to:
        conditions.append(Posting.posted_at <= date_to)
    total = await session.scalar(select(func.count()).select_from(Posting).where(*conditions))
    rows = await session.scalars(
        select(Posting)
        .where(*conditions)
        .order_by(nulls_last(Posting.posted_at.desc()), Posting.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def posting_detail(session: AsyncSession, org_id: int, posting_id: int) -> PostingDetail | None:
    row = await session.scalar(select(Posting).where(Posting.id == posting_id, Posting.org_id == org_id))
    if row is None:
        return None
    mentions = await session.scalars(
        select(PostingSkill)
        .where(PostingSkill.posting_id == posting_id, PostingSkill.org_id == org_id)
        .order_by(PostingSkill.start, PostingSkill.id)
    )
    first = await session.scalar(
        select(func.min(Posting.id)).where(Posting.org_id == org_id, Posting.content_hash == row.content_hash)
    )
    return PostingDetail(
        **posting_read(row).model_dump(),
        text=row.text,
        duplicate_of=first if first is not None and first != row.id else None,
        extraction_error=row.extraction_error,
        mentions=[
            MentionRead(
                start=m.start,
                end=m.end,
                text=m.text,
                kind=m.kind,
                score=m.score,
                requirement=m.requirement,
                concept=ConceptRef(id=m.concept_id, uri=m.concept_id, label=m.concept_label)
                if m.concept_id
                else None,
            )
            for m in mentions
        ],
    )


async def delete_postings(session: AsyncSession, org_id: int, posting_ids: Sequence[int]) -> int:
    """Delete postings of the organisation with their mentions, and recount the demand rollups of their
    fingerprints (a repost takes over where a deleted original was counted); returns how many went."""
    rows = await session.execute(
        select(Posting.id, Posting.content_hash).where(
            Posting.org_id == org_id, Posting.id.in_(list(posting_ids))
        )
    )
    found = list(rows.tuples())
    if not found:
        return 0
    ids = [pid for pid, _ in found]
    touched, deltas = await retract(session, {(org_id, digest) for _, digest in found}, ids)
    await session.execute(delete(PostingSkill).where(PostingSkill.posting_id.in_(ids)))
    await session.execute(delete(Posting).where(Posting.id.in_(ids)))
    await restore(session, touched, deltas)
    return len(ids)
