"""The organisation's credentials as a list to scan: each with its coverage of demand (from the drift runs),
its trend and its open alerts, searched, filtered, sorted and paged. The overview and `/app/credentials` both
read it, so they cannot disagree about a credential's coverage."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.credentials.models import Competency, Credential
from service.demand.models import OPEN_STATUSES, Alert, DriftRun

TREND_RUNS = 12
# Coverage bands (share of demand covered, 0..1): below LOW_BELOW is low, from HIGH_FROM on is high.
LOW_BELOW, HIGH_FROM = 0.5, 0.8
COVERAGE_BANDS = ("low", "medium", "high", "unknown")
SORTS = ("name", "coverage", "alerts", "competencies")
Sort = Literal["name", "coverage", "alerts", "competencies"]


@dataclass
class CredentialRow:
    id: int
    name: str
    type: str
    ctid: str | None
    occupations: list[str]
    region: str | None
    region_codes: list[str]
    competencies: int
    coverage: float | None  # share of demand covered, 0..1, from the latest drift run
    trend: list[float]  # coverage of the last drift runs, oldest first
    open_alerts: int
    high_alerts: int

    @property
    def band(self) -> str:
        return coverage_band(self.coverage)


@dataclass
class CredentialFilter:
    q: str = ""  # words of the name, or a CTID
    coverage: str = ""  # one of COVERAGE_BANDS, "" for any
    alerts: str = ""  # "open" (some open alert), "none", "" for any
    occupation: str = ""  # an O*NET-SOC / SOC code or its prefix (15-1232 matches 15-1232.00)
    region: str = ""  # a region code (state:OH) or words of the region
    sort: Sort = "name"
    descending: bool = False
    page: int = 1
    per_page: int = 25


@dataclass
class CredentialListing:
    rows: list[CredentialRow]
    total: int  # rows matching the filters
    page: int
    pages: int
    occupations: list[str] = field(default_factory=list)  # every code the organisation's credentials name
    regions: list[str] = field(default_factory=list)  # every region code they name


def coverage_band(coverage: float | None) -> str:
    if coverage is None:
        return "unknown"
    if coverage < LOW_BELOW:
        return "low"
    return "high" if coverage >= HIGH_FROM else "medium"


def coverage_from_summary(summary: dict, credential_id: int) -> float | None:
    """A drift run's summary is keyed by credential id (as a string in JSON); coverage is a 0..1 share."""
    entry = (summary or {}).get("credentials", summary or {}).get(str(credential_id))
    if not isinstance(entry, dict):
        return None
    value = entry.get("coverage")
    if isinstance(value, dict):  # {"baseline": …, "current": …}
        value = value.get("current")
    return float(value) if isinstance(value, int | float) else None


async def credential_rows(session: AsyncSession, org_id: int, q: str = "") -> list[CredentialRow]:
    """Every live credential of the organisation (whose name or CTID matches `q`), by name."""
    where: list[ColumnElement[bool]] = [
        col(Credential.org_id) == org_id,
        col(Credential.deleted_at).is_(None),
    ]
    if q.strip():
        pattern = f"%{q.strip().lower()}%"
        where.append(
            or_(
                func.lower(col(Credential.name)).like(pattern), func.lower(col(Credential.ctid)).like(pattern)
            )
        )
    credentials = list(
        await session.scalars(
            select(Credential).where(*where).order_by(col(Credential.name), col(Credential.id))
        )
    )
    counts = await _competency_counts(session, org_id)
    alerts = await _open_alerts(session, org_id)
    runs = await _recent_runs(session, org_id)
    rows = []
    for credential in credentials:
        assert credential.id is not None
        trend = [c for c in (coverage_from_summary(r.summary, credential.id) for r in runs) if c is not None]
        open_count, high_count = alerts.get(credential.id, (0, 0))
        rows.append(
            CredentialRow(
                id=credential.id,
                name=credential.name,
                type=credential.type,
                ctid=credential.ctid,
                occupations=list(credential.occupations or []),
                region=credential.region,
                region_codes=list(credential.region_codes or []),
                competencies=counts.get(credential.id, 0),
                coverage=trend[-1] if trend else None,
                trend=trend,
                open_alerts=open_count,
                high_alerts=high_count,
            )
        )
    return rows


async def list_credentials(session: AsyncSession, org_id: int, wanted: CredentialFilter) -> CredentialListing:
    """One page of the credentials that pass every filter, in the order asked for."""
    every = await credential_rows(session, org_id, wanted.q)
    kept = [row for row in every if _passes(row, wanted)]
    kept.sort(key=lambda r: (r.name.lower(), r.id))  # ties keep name order (a stable sort, reversed or not)
    if wanted.sort != "name" or wanted.descending:
        kept.sort(key=_sort_key(wanted.sort), reverse=wanted.descending)
    per_page = max(1, min(wanted.per_page, 200))
    pages = max(1, math.ceil(len(kept) / per_page))
    page = max(1, min(wanted.page, pages))
    start = (page - 1) * per_page
    return CredentialListing(
        rows=kept[start : start + per_page],
        total=len(kept),
        page=page,
        pages=pages,
        occupations=sorted({code for row in every for code in row.occupations}),
        regions=sorted({code for row in every for code in row.region_codes}),
    )


def _passes(row: CredentialRow, wanted: CredentialFilter) -> bool:
    if wanted.coverage and row.band != wanted.coverage:
        return False
    if wanted.alerts == "open" and not row.open_alerts:
        return False
    if wanted.alerts == "none" and row.open_alerts:
        return False
    if wanted.occupation and not any(code.startswith(wanted.occupation) for code in row.occupations):
        return False
    region = wanted.region.strip().lower()
    if region and region not in {code.lower() for code in row.region_codes}:
        return region in (row.region or "").lower()
    return True


def _sort_key(sort: str):  # noqa: ANN202 - a key function
    if sort == "coverage":  # unknown coverage sorts below every known one
        return lambda r: (r.coverage is not None, r.coverage or 0.0)
    if sort == "alerts":
        return lambda r: (r.open_alerts, r.high_alerts)
    if sort == "competencies":
        return lambda r: r.competencies
    return lambda r: (r.name.lower(), r.id)


async def _competency_counts(session: AsyncSession, org_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(col(Competency.credential_id), func.count())
        .where(col(Competency.org_id) == org_id, col(Competency.deleted_at).is_(None))
        .group_by(col(Competency.credential_id))
    )
    return {credential_id: count for credential_id, count in rows.all()}


async def _open_alerts(session: AsyncSession, org_id: int) -> dict[int, tuple[int, int]]:
    """Per credential: (open alerts, of which high)."""
    rows = await session.execute(
        select(col(Alert.credential_id), col(Alert.severity), func.count())
        .where(col(Alert.org_id) == org_id, col(Alert.status).in_(OPEN_STATUSES))
        .group_by(col(Alert.credential_id), col(Alert.severity))
    )
    totals: dict[int, tuple[int, int]] = {}
    for credential_id, severity, count in rows.all():
        open_count, high_count = totals.get(credential_id, (0, 0))
        totals[credential_id] = (open_count + count, high_count + (count if severity == "high" else 0))
    return totals


async def _recent_runs(session: AsyncSession, org_id: int) -> list[DriftRun]:
    """The last succeeded drift runs, oldest first."""
    runs = list(
        await session.scalars(
            select(DriftRun)
            .where(col(DriftRun.org_id) == org_id, col(DriftRun.status) == "succeeded")
            .order_by(col(DriftRun.as_of).desc(), col(DriftRun.id).desc())
            .limit(TREND_RUNS)
        )
    )
    runs.reverse()
    return runs
