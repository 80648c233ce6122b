"""The monthly demand of a credential's top skills: the numbers behind the trend chart of the credential page
and of the program-review report (the dashboard draws them, service/dashboard/charts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.schemas import AlignmentRead
from service.demand.services import demand_series

TREND_CONCEPTS = 5
TREND_MONTHS = 12


@dataclass(frozen=True, slots=True)
class TrendLine:
    label: str
    values: list[float | None]  # share of the month's postings; None for a month without postings


@dataclass(slots=True)
class Trend:
    months: list[str]
    lines: list[TrendLine]
    postings: list[int]  # postings per month
    window: dict[str, str]

    @property
    def rows(self) -> list[tuple[str, int, list[float | None]]]:
        """(month, postings, share per concept), for the table beside the chart."""
        return [
            (month, self.postings[i], [line.values[i] for line in self.lines])
            for i, month in enumerate(self.months)
        ]


def month_start(day: date, months_back: int) -> date:
    year, month = day.year, day.month - months_back
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


async def demand_trend(
    session: AsyncSession,
    org_id: int,
    alignment: AlignmentRead,
    as_of: date,
    concepts: int = TREND_CONCEPTS,
    months: int = TREND_MONTHS,
) -> Trend | None:
    """The share of postings asking for each of the alignment's top concepts, month by month, in the
    credential's occupations and region; None when there is nothing to chart."""
    top = [c.concept_id for c in alignment.concepts[:concepts]]
    if not top or not alignment.occupations:
        return None
    start = month_start(as_of, months - 1)
    result = await demand_series(
        session, org_id, alignment.occupations, tuple(alignment.region), start, as_of, top, len(top)
    )
    labels = {c.concept_id: c.label for c in alignment.concepts}
    shares: dict[str, list[float | None]] = {cid: [] for cid in top}
    for period in result.series:
        found = {c.concept_id: c.share for c in period.concepts}
        for cid in top:
            shares[cid].append(found.get(cid, 0.0) if period.postings else None)
    return Trend(
        months=[p.period for p in result.series],
        lines=[TrendLine(labels.get(cid, cid), shares[cid]) for cid in top],
        postings=[p.postings for p in result.series],
        window=result.window,
    )
