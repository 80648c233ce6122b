"""Counts for a whole drift run in three aggregate queries, instead of a few queries per credential.

Per-credential queries re-read the same postings once for every credential sharing an occupation (200
credentials over 40 occupations read each posting ten times). Instead:
1. one posting represents each content fingerprint per window (the lowest id), so counts need no DISTINCT on
   the hash and add up exactly across occupation codes;
2. totals and concept counts are aggregated per (occupation code, window) once, and a credential's counts are
   the sums over the concrete codes its SOC / O*NET-SOC codes match;
3. competency counts come from one join of the represented postings with a (credential, code) mapping, so each
   posting meets only the links of the credentials whose occupations include it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Integer, String, and_, case, column, func, literal, select, values
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Competency, CompetencySkill
from service.demand.aggregation import COVERING_LINK_STATUSES, BucketCounts, ConceptCount
from service.postings.models import Posting, PostingSkill

RegionKey = str | None


def code_matches(concrete: str, wanted: Iterable[str]) -> bool:
    """A posting's code against a credential's codes: equal, or an O*NET child of a 6-digit SOC code."""
    return any(concrete == w or (len(w) == 7 and concrete.startswith(w + ".")) for w in wanted)


@dataclass(slots=True)
class RunCounts:
    """Window counts per (occupation code, region key), and competency counts per credential."""

    totals: dict[tuple[str, RegionKey], dict[str, int]] = field(default_factory=dict)
    concepts: dict[tuple[str, RegionKey], dict[str, dict[str, ConceptCount]]] = field(default_factory=dict)
    competencies: dict[int, dict[str, dict[int, int]]] = field(default_factory=dict)

    def for_credential(self, keys: Iterable[tuple[str, RegionKey]]) -> BucketCounts:
        """A credential's BucketCounts: the sums over its (code, region) keys."""
        keys = list(keys)
        if len(keys) == 1:  # read-only use downstream: share the per-key dicts instead of copying them
            return BucketCounts(dict(self.totals.get(keys[0], {})), dict(self.concepts.get(keys[0], {})))
        out = BucketCounts()
        for key in keys:
            for bucket, total in self.totals.get(key, {}).items():
                out.totals[bucket] = out.totals.get(bucket, 0) + total
            for bucket, concepts in self.concepts.get(key, {}).items():
                target = out.concepts.setdefault(bucket, {})
                for cid, c in concepts.items():
                    have = target.get(cid)
                    if have is None:
                        target[cid] = ConceptCount(c.label, c.postings, c.required, c.preferred)
                    else:
                        have.postings += c.postings
                        have.required += c.required
                        have.preferred += c.preferred
        return out


async def present_keys(
    session: AsyncSession,
    org_id: int,
    start: date,
    end: date,
    by_region: bool,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[tuple[str, RegionKey]]:
    """The (occupation code, region) pairs that occur among the organisation's counted postings (those
    meeting `where` too)."""
    region = func.lower(Posting.region) if by_region else literal(None, String)
    rows = await session.execute(
        select(Posting.occupation_code, region)
        .distinct()
        .where(
            Posting.org_id == org_id,
            Posting.extraction_status == "done",
            Posting.occupation_code.is_not(None),
            Posting.posted_at >= start,
            Posting.posted_at <= end,
            *where,
        )
    )
    return [(code, reg) for code, reg in rows]


async def run_counts(
    session: AsyncSession,
    org_id: int,
    start: date,
    end: date,
    current_start: date,
    codes: list[str],
    credential_keys: dict[int, list[tuple[str, RegionKey]]],
    by_region: bool,
    where: Sequence[ColumnElement[bool]] = (),
) -> RunCounts:
    """Totals and concept counts per (code, region, window) for `codes`, and competency counts per
    credential, over the postings meeting `where` too (a service region: service/demand/run_regions.py).
    """
    result = RunCounts()
    if not codes:
        return result
    bucket = case((Posting.posted_at >= current_start, literal("current")), else_=literal("baseline"))
    region = func.lower(Posting.region) if by_region else literal(None, String)
    reps = (
        select(func.min(Posting.id).label("id"), bucket.label("bucket"))
        .where(
            Posting.org_id == org_id,
            Posting.extraction_status == "done",
            Posting.posted_at >= start,
            Posting.posted_at <= end,
            Posting.occupation_code.in_(codes),
            *where,
        )
        .group_by(bucket, Posting.content_hash)
        .cte("reps")
    )
    totals = await session.execute(
        select(Posting.occupation_code, region, reps.c.bucket, func.count())
        .select_from(reps)
        .join(Posting, Posting.id == reps.c.id)
        .group_by(Posting.occupation_code, region, reps.c.bucket)
    )
    for code, reg, bkt, count in totals:
        result.totals.setdefault((code, reg), {})[bkt] = int(count)

    def posting_if(level: str):  # noqa: ANN202 - a SQL expression
        return case((PostingSkill.requirement == level, PostingSkill.posting_id))

    rows = await session.execute(
        select(
            Posting.occupation_code,
            region,
            reps.c.bucket,
            PostingSkill.concept_id,
            func.max(PostingSkill.concept_label),
            func.count(func.distinct(PostingSkill.posting_id)),
            func.count(func.distinct(posting_if("required"))),
            func.count(func.distinct(posting_if("preferred"))),
        )
        .select_from(reps)
        .join(Posting, Posting.id == reps.c.id)
        .join(PostingSkill, and_(PostingSkill.posting_id == Posting.id, PostingSkill.org_id == org_id))
        .where(PostingSkill.concept_id.is_not(None))
        .group_by(Posting.occupation_code, region, reps.c.bucket, PostingSkill.concept_id)
    )
    for code, reg, bkt, cid, label, count, required, preferred in rows:
        result.concepts.setdefault((code, reg), {}).setdefault(bkt, {})[cid] = ConceptCount(
            label or cid, int(count), int(required), int(preferred)
        )

    mapping_rows = [
        (cred_id, code, reg or "") for cred_id, keys in credential_keys.items() for code, reg in keys
    ]
    if not mapping_rows:
        return result
    mapping = (
        values(
            column("credential_id", Integer),
            column("code", String),
            column("region", String),
            name="cred_occ",
            # Inline literals (SQLAlchemy quotes them): thousands of rows would pass the drivers' bind limits.
            literal_binds=True,
        )
        .data(mapping_rows)
        .cte("cred_occ")
    )
    on_mapping = [mapping.c.code == Posting.occupation_code]
    if by_region:
        on_mapping.append(mapping.c.region == func.coalesce(func.lower(Posting.region), ""))
    comp_rows = await session.execute(
        select(
            mapping.c.credential_id,
            CompetencySkill.competency_id,
            reps.c.bucket,
            func.count(func.distinct(Posting.id)),
        )
        .select_from(reps)
        .join(Posting, Posting.id == reps.c.id)
        .join(mapping, and_(*on_mapping))
        .join(
            Competency,
            and_(
                Competency.credential_id == mapping.c.credential_id,
                Competency.deleted_at.is_(None),
                Competency.org_id == org_id,
            ),
        )
        .join(
            CompetencySkill,
            and_(
                CompetencySkill.competency_id == Competency.id,
                CompetencySkill.status.in_(COVERING_LINK_STATUSES),
            ),
        )
        .join(
            PostingSkill,
            and_(
                PostingSkill.posting_id == Posting.id, PostingSkill.concept_id == CompetencySkill.concept_id
            ),
        )
        .group_by(mapping.c.credential_id, CompetencySkill.competency_id, reps.c.bucket)
    )
    for cred_id, comp_id, bkt, count in comp_rows:
        result.competencies.setdefault(int(cred_id), {}).setdefault(bkt, {})[int(comp_id)] = int(count)
    return result
