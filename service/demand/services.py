"""Demand series and a credential's alignment with demand: the queries behind the read endpoints."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Credential
from service.demand.aggregation import Scope
from service.demand.curricula import Curriculum, curricula
from service.demand.region_filter import credential_region
from service.demand.rollup_reads import scope_counts
from service.demand.runs import usable_occupations
from service.demand.schemas import AlignmentConcept, AlignmentRead, DemandConcept, DemandPeriod, DemandSeries
from service.settings import DriftSettings

MAX_SERIES_DAYS = 3660


def months_between(start: date, end: date) -> list[str]:
    """Every 'YYYY-MM' from start's month to end's month, so a quiet month shows as zero rather than
    missing.
    """
    months: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class WindowError(ValueError):
    """A series window the caller got wrong (backwards, or longer than MAX_SERIES_DAYS)."""


def series_window(from_date: date | None, to_date: date | None, today: date) -> tuple[date, date]:
    """A monthly series' inclusive window: `to` defaults to today, `from` to twelve months back."""
    end = to_date or today
    start = from_date or twelve_months_back(end)
    if start > end:
        raise WindowError(f"from ({start}) is after to ({end})")
    if (end - start).days > MAX_SERIES_DAYS:
        raise WindowError("the window is longer than ten years; narrow from/to")
    return start, end


def twelve_months_back(end: date) -> date:
    """The first day of the month eleven months before `end`'s month: a twelve-month series by default."""
    year, month = end.year, end.month - 11
    if month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


async def demand_series(
    session: AsyncSession,
    org_id: int,
    occupations: list[str],
    region: tuple[str, ...],
    start: date,
    end: date,
    concepts: list[str] | None,
    limit: int,
) -> DemandSeries:
    scope = Scope(org_id, tuple(occupations), start, end, region)
    wanted = set(concepts or [])
    counts = await scope_counts(session, scope, "month", wanted or None, limit)
    series: list[DemandPeriod] = []
    for period in months_between(start, end):
        total = counts.total(period)
        found = [
            (cid, c) for cid, c in counts.concepts.get(period, {}).items() if not wanted or cid in wanted
        ]
        found.sort(key=lambda item: (-item[1].postings, item[0]))  # then only the top `limit` become objects
        rows = [
            DemandConcept(
                concept_id=cid,
                label=c.label,
                postings=c.postings,
                share=round(c.postings / total, 4) if total else 0.0,
                required=c.required,
                preferred=c.preferred,
            )
            for cid, c in found[:limit]
        ]
        series.append(DemandPeriod(period=period, postings=total, concepts=rows))
    return DemandSeries(
        occupations=occupations,
        region=list(region),
        window={"from": start.isoformat(), "to": end.isoformat()},
        interval="month",
        series=series,
    )


async def credential_alignment(
    session: AsyncSession, drift: DriftSettings, credential: Credential, as_of: date, days: int
) -> AlignmentRead:
    """Demanded concepts (share at or above the floor) in the credential's occupations, covered or not."""
    codes = usable_occupations(credential.occupations)
    region = credential_region(credential, drift)
    start = as_of - timedelta(days=days - 1)
    window = {"from": start.isoformat(), "to": as_of.isoformat()}
    base = {
        "credential_id": credential.id,
        "name": credential.name,
        "occupations": list(codes),
        "region": list(region),
        "window": window,
        "demand_floor": drift.demand_floor,
    }
    if not codes:
        return AlignmentRead(**base, postings=0, status="no_occupations", coverage=None, concepts=[])
    counts = await scope_counts(session, Scope(credential.org_id, codes, start, as_of, region), start)
    total = counts.total("current")
    demanded = {
        cid: c
        for cid, c in counts.concepts.get("current", {}).items()
        if total and c.postings / total >= drift.demand_floor
    }
    teaching = await curricula(session, credential.org_id, drift.fuzzy_threshold, credential.id)
    curriculum = teaching.get(credential.id) or Curriculum(fuzzy_threshold=drift.fuzzy_threshold)
    covered_by = curriculum.is_covered([(cid, c.label) for cid, c in demanded.items()])
    concepts = [
        AlignmentConcept(
            concept_id=cid,
            label=c.label,
            postings=c.postings,
            share=round(c.postings / total, 4),
            required=c.required,
            preferred=c.preferred,
            covered=bool(covered_by.get(cid)),
            covered_by=covered_by.get(cid, []),
        )
        for cid, c in demanded.items()
    ]
    concepts.sort(key=lambda r: (-r.postings, r.concept_id))
    weight = sum(c.share for c in concepts)
    coverage = round(sum(c.share for c in concepts if c.covered) / weight, 4) if weight else None
    status = "ok" if total >= drift.min_postings else "insufficient_data"
    return AlignmentRead(**base, postings=total, status=status, coverage=coverage, concepts=concepts)
