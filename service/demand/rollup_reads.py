"""A drift run's counts read from the demand rollups instead of the raw mentions.

Totals and concept counts are sums of rollup rows (service/demand/rollups.py says what a row counts), over
the run's days, the codes wanted and the places within each credential's service region; they equal
service/demand/run_counts.py over the raw postings. Competency counts still join mentions, but only those of
the canonical postings of the range (demand_canon): a posting naming two concepts of one competency counts
once, which no per-concept sum can tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.credentials.models import Credential
from service.demand.aggregation import BucketCounts, ConceptCount, Scope, occupation_condition
from service.demand.models import DemandCanon, DemandCode, DemandPlace, DemandRollup
from service.demand.rollups import TOTAL
from service.demand.run_counts import RunCounts, code_matches, competency_counts
from service.demand.run_regions import CredentialCounts
from service.geo import allows_region, region_match
from service.settings import DriftSettings

_R = DemandRollup.__table__  # type: ignore[attr-defined]
_C = DemandCanon.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Span:
    """Which rollup rows a read sums: an organisation's days, and the places of a region (None: all)."""

    org_id: int
    start: date
    end: date
    places: tuple[int, ...] | None = None

    def where(self, table) -> list[ColumnElement[bool]]:  # noqa: ANN001 - demand_rollup or demand_canon
        conds = [table.c.org_id == self.org_id, table.c.day >= self.start, table.c.day <= self.end]
        if self.places is not None:
            conds.append(table.c.place_id.in_(self.places))
        return conds


async def region_places(session: AsyncSession, org_id: int, region: Sequence[str]) -> tuple[int, ...] | None:
    """The organisation's places within the region (service.geo.allows_region on each place); None for no
    region, meaning every place."""
    if not region:
        return None
    match = region_match(tuple(sorted(region)))
    rows = await session.execute(
        select(col(DemandPlace.id), col(DemandPlace.geo))
        .where(col(DemandPlace.org_id) == org_id)
        .order_by(col(DemandPlace.id))
    )
    return tuple(pid for pid, geo in rows.tuples() if allows_region(geo, match))


async def rollup_present_codes(session: AsyncSession, span: Span) -> list[str]:
    """The occupation codes counted in the span."""
    rows = await session.scalars(
        select(_R.c.occupation_code).distinct().where(*span.where(_R), _R.c.concept_id == TOTAL)
    )
    return sorted(rows)


async def rollup_run_counts(
    session: AsyncSession,
    span: Span,
    current_start: date,
    codes: list[str],
    credential_codes: dict[int, list[str]],
) -> RunCounts:
    """What service/demand/run_counts.run_counts answers, from the rollups."""
    result = RunCounts()
    if not codes or span.places == ():
        return result
    bucket = case((_R.c.day >= current_start, literal("current")), else_=literal("baseline")).label("bucket")
    where = [*span.where(_R), _R.c.occupation_code.in_(codes)]
    totals = await session.execute(
        select(_R.c.occupation_code, bucket, func.sum(_R.c.postings))
        .where(*where, _R.c.concept_id == TOTAL)
        .group_by(_R.c.occupation_code, bucket)
    )
    for code, bkt, count in totals.tuples():
        result.totals.setdefault(code, {})[bkt] = int(count)
    rows = await session.execute(
        select(
            _R.c.occupation_code,
            bucket,
            _R.c.concept_id,
            func.max(_R.c.concept_label),
            func.sum(_R.c.postings),
            func.sum(_R.c.required),
            func.sum(_R.c.preferred),
        )
        .where(*where, _R.c.concept_id != TOTAL)
        .group_by(_R.c.occupation_code, bucket, _R.c.concept_id)
    )
    for (
        code,
        bkt,
        cid,
        label,
        count,
        required,
        preferred,
    ) in rows.tuples().all():  # fetched at once: row by row costs more
        result.concepts.setdefault(code, {}).setdefault(bkt, {})[cid] = ConceptCount(
            label or cid, int(count), int(required), int(preferred)
        )
    canon_bucket = case((_C.c.day >= current_start, literal("current")), else_=literal("baseline"))
    reps = (
        select(_C.c.posting_id.label("id"), canon_bucket.label("bucket"), _C.c.occupation_code.label("code"))
        .where(*span.where(_C), _C.c.occupation_code.in_(codes))
        .cte("reps")
    )
    result.competencies = await competency_counts(session, span.org_id, reps, credential_codes)
    return result


async def count_credentials_from_rollups(
    session: AsyncSession,
    org_id: int,
    dates: tuple[date, date, date],  # baseline start, as of, current start
    credentials: Sequence[Credential],
    wanted: dict[int, tuple[str, ...]],
    drift: DriftSettings,
) -> CredentialCounts:
    """service/demand/run_regions.count_credentials, read from the rollups: one set of sums per region."""
    start, end, current_start = dates
    out = CredentialCounts.by_region(credentials, drift)
    for region in sorted(set(out.region_of.values())):
        span = Span(org_id, start, end, await region_places(session, org_id, region))
        members = [cid for cid, reg in out.region_of.items() if reg == region]
        present = await rollup_present_codes(session, span) if span.places != () else []
        for cid in members:
            out.codes_of[cid] = [code for code in present if code_matches(code, wanted[cid])]
        needed = sorted({code for cid in members for code in out.codes_of[cid]})
        codes = {cid: out.codes_of[cid] for cid in members if out.codes_of[cid]}
        out.of_region[region] = await rollup_run_counts(session, span, current_start, needed, codes)
    return out


async def concrete_codes(session: AsyncSession, org_id: int, wanted: Sequence[str]) -> list[str]:
    """The counted occupation codes `wanted` matches (a 6-digit SOC code: itself and its O*NET children), so
    the rollups are read by index on exact codes."""
    code = col(DemandCode.occupation_code)
    rows = await session.scalars(
        select(code)
        .where(col(DemandCode.org_id) == org_id, occupation_condition(wanted, code))
        .order_by(code)
    )
    return list(rows)


def _bucket(dialect: str, bucket: str | date) -> ColumnElement[str]:
    """A rollup row's bucket: "month" ('YYYY-MM' of the day, as aggregation.month_bucket), or the window
    split at a date ('current' from it on, else 'baseline', as aggregation.window_bucket)."""
    if isinstance(bucket, date):
        return case((_R.c.day >= bucket, literal("current")), else_=literal("baseline"))
    if dialect == "postgresql":
        return func.to_char(_R.c.day, "YYYY-MM")
    return func.strftime("%Y-%m", _R.c.day)


async def scope_counts(session: AsyncSession, scope: Scope, bucket: str | date) -> BucketCounts:
    """What aggregation.bucket_counts answers for the scope, from the rollups (GET /api/v1/demand, a
    credential's alignment)."""
    result = BucketCounts()
    if not scope.occupations:
        return result
    span = Span(
        scope.org_id, scope.start, scope.end, await region_places(session, scope.org_id, scope.region)
    )
    if span.places == ():
        return result
    codes = await concrete_codes(session, scope.org_id, scope.occupations)
    if not codes:
        return result
    key = _bucket(session.get_bind().dialect.name, bucket).label("bucket")
    where = [*span.where(_R), _R.c.occupation_code.in_(codes)]
    totals = await session.execute(
        select(key, func.sum(_R.c.postings)).where(*where, _R.c.concept_id == TOTAL).group_by(key)
    )
    result.totals = {str(b): int(n) for b, n in totals.tuples()}
    rows = await session.execute(
        select(
            key,
            _R.c.concept_id,
            func.max(_R.c.concept_label),
            func.sum(_R.c.postings),
            func.sum(_R.c.required),
            func.sum(_R.c.preferred),
        )
        .where(*where, _R.c.concept_id != TOTAL)
        .group_by(key, _R.c.concept_id)
    )
    for b, cid, label, count, required, preferred in rows.tuples().all():
        result.concepts.setdefault(str(b), {})[cid] = ConceptCount(
            label or cid, int(count), int(required), int(preferred)
        )
    return result
