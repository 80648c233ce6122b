"""Demand counted in SQL, next to the data: distinct postings per bucket, and per concept.

Why these rules:
- A posting is counted once per content fingerprint (`content_hash`): the same advert syndicated to five
  boards is one employer asking once, not five. The one counted is the fingerprint's canonical posting (the
  earliest countable one by posted date and id, service/demand/rollups.py), where it falls: a repost next
  month is not new demand. These raw queries are the reference the rollups answer (service/demand/
  rollup_reads.py serves the API and drift from the rollups; tests check the two agree).
- Only postings whose extraction finished count: a posting not read yet has no mentions and would deflate
  every share.
- A 6-digit SOC code (15-1232) stands for all its O*NET-SOC children (15-1232.00, 15-1232.01, ...); a full
  O*NET-SOC code matches itself.
- Required and preferred are kept apart: a posting counts as "required" for a concept when any of its
  mentions of the concept is required, and likewise for "preferred"; its plain count is any mention at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Competency, CompetencySkill
from service.demand.region_filter import region_condition
from service.postings.models import Posting, PostingSkill

SOC_CODE = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")
COVERING_LINK_STATUSES = ("confirmed", "suggested")


class OccupationCodeError(ValueError):
    """An occupation code that is neither SOC (15-1232) nor O*NET-SOC (15-1232.00)."""


def normalise_occupations(codes: Iterable[str]) -> list[str]:
    """Strip, de-duplicate and check occupation codes; raises OccupationCodeError naming the bad one."""
    seen: list[str] = []
    for raw in codes:
        code = (raw or "").strip()
        if not code:
            continue
        if not SOC_CODE.match(code):
            raise OccupationCodeError(
                f"occupation {code!r} is not a SOC code (15-1232) or an O*NET-SOC code (15-1232.00)"
            )
        if code not in seen:
            seen.append(code)
    return seen


def occupation_condition(codes: Sequence[str], column: Any = None) -> ColumnElement[bool]:
    """Postings (or rollup rows: `column`) in any of `codes`: a 6-digit SOC code matches itself and its O*NET
    children."""
    column = Posting.occupation_code if column is None else column
    parts: list[ColumnElement[bool]] = []
    exact = list(codes)
    if exact:
        parts.append(column.in_(exact))
    for code in codes:
        if len(code) == 7:  # NN-NNNN: its O*NET-SOC children NN-NNNN.NN
            parts.append(column.like(f"{code}.%"))
    return or_(*parts) if parts else literal(False)


def canonical_postings(org_id: int) -> Subquery:
    """The organisation's countable postings ranked per fingerprint by (posted date, id): rn 1 is counted."""
    rank = func.row_number().over(partition_by=Posting.content_hash, order_by=(Posting.posted_at, Posting.id))
    return (
        select(Posting.id, rank.label("rn"))
        .where(
            Posting.org_id == org_id,
            Posting.extraction_status == "done",
            Posting.posted_at.is_not(None),
            Posting.occupation_code.is_not(None),
            Posting.occupation_code != "",
        )
        .subquery("ranked")
    )


@dataclass(frozen=True, slots=True)
class Scope:
    """Which postings count: organisation, occupations, optional region (canonical codes, see
    service/geo/codes.py), inclusive date range."""

    org_id: int
    occupations: tuple[str, ...]
    start: date
    end: date
    region: tuple[str, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [
            Posting.org_id == self.org_id,
            Posting.extraction_status == "done",
            Posting.posted_at.is_not(None),
            Posting.posted_at >= self.start,
            Posting.posted_at <= self.end,
            occupation_condition(self.occupations),
        ]
        if self.region:
            conds.append(region_condition(self.region))
        return conds


@dataclass(slots=True)
class ConceptCount:
    label: str
    postings: int = 0
    required: int = 0
    preferred: int = 0


@dataclass(slots=True)
class BucketCounts:
    """Distinct postings per bucket and, per bucket, the postings asking for each concept."""

    totals: dict[str, int] = field(default_factory=dict)
    concepts: dict[str, dict[str, ConceptCount]] = field(default_factory=dict)

    def total(self, bucket: str) -> int:
        return self.totals.get(bucket, 0)

    def concept(self, bucket: str, concept_id: str) -> ConceptCount | None:
        return self.concepts.get(bucket, {}).get(concept_id)


def month_bucket(dialect: str) -> ColumnElement[str]:
    """'YYYY-MM' of posted_at, in the dialect's own date function."""
    if dialect == "postgresql":
        return func.to_char(Posting.posted_at, "YYYY-MM")
    return func.strftime("%Y-%m", Posting.posted_at)


def window_bucket(current_start: date) -> ColumnElement[str]:
    """'current' from `current_start` on, else 'baseline' (the scope's range bounds both)."""
    return case((Posting.posted_at >= current_start, literal("current")), else_=literal("baseline"))


def counted(query: Select, scope: Scope) -> Select:
    """Only the canonical posting of each fingerprint (`query` selects from posting)."""
    ranked = canonical_postings(scope.org_id)
    return query.select_from(Posting).join(ranked, and_(ranked.c.id == Posting.id, ranked.c.rn == 1))


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def bucket_totals(session: AsyncSession, scope: Scope, bucket: ColumnElement[str]) -> dict[str, int]:
    """Distinct postings (by content) per bucket: the relevant postings every share is a share of."""
    if not scope.occupations:
        return {}
    bucket = bucket.label("bucket")
    totals = await session.execute(
        counted(select(bucket, func.count(func.distinct(Posting.content_hash))), scope)
        .where(*scope.conditions())
        .group_by(bucket)
    )
    return {str(key): int(count) for key, count in totals}


async def bucket_counts(session: AsyncSession, scope: Scope, bucket: ColumnElement[str]) -> BucketCounts:
    """Two aggregate queries: distinct postings per bucket, then per bucket and concept."""
    result = BucketCounts()
    result.totals = await bucket_totals(session, scope, bucket)
    if not result.totals:
        return result
    conds = scope.conditions()
    bucket = bucket.label("bucket")
    hash_if = lambda level: case((PostingSkill.requirement == level, Posting.content_hash))  # noqa: E731
    rows = await session.execute(
        counted(
            select(
                bucket,
                PostingSkill.concept_id,
                func.max(PostingSkill.concept_label),
                func.count(func.distinct(Posting.content_hash)),
                func.count(func.distinct(hash_if("required"))),
                func.count(func.distinct(hash_if("preferred"))),
            ),
            scope,
        )
        .join(PostingSkill, and_(PostingSkill.posting_id == Posting.id, PostingSkill.org_id == scope.org_id))
        .where(*conds, PostingSkill.concept_id.is_not(None))
        .group_by(bucket, PostingSkill.concept_id)
    )
    for key, concept_id, label, count, required, preferred in rows:
        result.concepts.setdefault(str(key), {})[concept_id] = ConceptCount(
            label=label or concept_id, postings=int(count), required=int(required), preferred=int(preferred)
        )
    return result


async def competency_counts(
    session: AsyncSession, scope: Scope, bucket: ColumnElement[str], credential_id: int
) -> dict[str, dict[int, int]]:
    """Per bucket and competency of the credential: distinct postings asking for any of its linked concepts.

    A competency's concepts are its confirmed or suggested links (a rejected link is the designer saying no).
    """
    if not scope.occupations:
        return {}
    bucket = bucket.label("bucket")
    rows = await session.execute(
        counted(
            select(bucket, CompetencySkill.competency_id, func.count(func.distinct(Posting.content_hash))),
            scope,
        )
        .join(PostingSkill, and_(PostingSkill.posting_id == Posting.id, PostingSkill.org_id == scope.org_id))
        .join(
            CompetencySkill,
            and_(
                CompetencySkill.concept_id == PostingSkill.concept_id,
                CompetencySkill.org_id == scope.org_id,
                CompetencySkill.status.in_(COVERING_LINK_STATUSES),
            ),
        )
        .join(Competency, Competency.id == CompetencySkill.competency_id)
        .where(
            *scope.conditions(), Competency.credential_id == credential_id, Competency.deleted_at.is_(None)
        )
        .group_by(bucket, CompetencySkill.competency_id)
    )
    counts: dict[str, dict[int, int]] = {}
    for key, competency_id, count in rows:
        counts.setdefault(str(key), {})[int(competency_id)] = int(count)
    return counts
