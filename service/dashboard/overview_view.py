"""What the overview page shows, read through the domains' services (the same reads as the API and the
other pages), scoped to one organisation: credentials with their coverage, open alerts by kind and severity,
import sources with their last run, posting totals, survey responses and the last drift check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from service.demand import alert_services, run_services
from service.demand.credential_list import CredentialRow, credential_rows
from service.postings import sources as source_services
from service.postings.models import ImportRun, ImportSource
from service.postings.totals import SourceTotals, posting_totals, source_totals
from surveys import services as survey_services

SEVERITIES = ("high", "medium", "low")
CURRENT_WINDOW_DAYS = 90


@dataclass
class SourceFreshness:
    id: int
    name: str
    kind: str
    last_run_at: datetime | None
    last_status: str | None
    last_new: int


@dataclass
class OverviewView:
    credentials: list[CredentialRow]
    alerts_by_kind: dict[str, dict[str, int]]  # kind -> severity -> count
    open_alerts: int
    sources: list[SourceFreshness]
    postings_in_window: int
    postings_total: int
    window_start: date
    latest_posting: date | None
    survey_responses: int
    last_drift_run: datetime | None
    posting_sources: list[SourceTotals] = field(default_factory=list)
    severities: tuple[str, ...] = field(default=SEVERITIES)


def alerts_by_kind(counts: list[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """(kind, severity, count) rows as kind -> severity -> count, every severity present."""
    by_kind: dict[str, dict[str, int]] = {}
    for kind, severity, count in counts:
        by_kind.setdefault(kind, dict.fromkeys(SEVERITIES, 0))
        by_kind[kind][severity] = by_kind[kind].get(severity, 0) + count
    return by_kind


def source_freshness(source_id: int, source: ImportSource, run: ImportRun | None) -> SourceFreshness:
    """A source with its newest run (when it ended, else began; its status; postings it added)."""
    return SourceFreshness(
        id=source_id,
        name=source.name,
        kind=source.kind,
        last_run_at=run.finished_at or run.started_at if run else None,
        last_status=run.status if run else None,
        last_new=run.new if run else 0,
    )


async def freshness(session: AsyncSession, org_id: int) -> list[SourceFreshness]:
    """The organisation's import sources, by name, each with its newest run."""
    stored = [(s.id, s) for s in await source_services.list_sources(session, org_id, by_name=True) if s.id]
    runs = await source_services.last_runs(session, [source_id for source_id, _ in stored])
    return [source_freshness(source_id, s, runs.get(source_id)) for source_id, s in stored]


async def build_overview(session: AsyncSession, org_id: int, today: date | None = None) -> OverviewView:
    window_start = (today or date.today()) - timedelta(days=CURRENT_WINDOW_DAYS)
    by_kind = alerts_by_kind(await alert_services.open_alert_counts(session, org_id))
    last_run = await run_services.latest_succeeded_run(session, org_id)
    totals = await posting_totals(session, org_id, window_start)
    return OverviewView(
        credentials=await credential_rows(session, org_id),
        alerts_by_kind=by_kind,
        open_alerts=sum(sum(v.values()) for v in by_kind.values()),
        sources=await freshness(session, org_id),
        postings_in_window=totals.since,
        postings_total=totals.postings,
        window_start=window_start,
        latest_posting=totals.newest_posted,
        survey_responses=await survey_services.submitted_count(session, org_id),
        last_drift_run=last_run.finished_at if last_run else None,
        posting_sources=await source_totals(session, org_id),
    )
