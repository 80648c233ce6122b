"""What the overview page shows, gathered in a few aggregate queries scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.credential_list import CredentialRow, credential_rows
from service.demand.models import OPEN_STATUSES, Alert, DriftRun
from service.postings.models import ImportRun, ImportSource, Posting
from surveys.models import SurveyResponse

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
class PostingSource:
    source: str
    postings: int
    newest_posted: date | None
    last_added: datetime | None


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
    posting_sources: list[PostingSource] = field(default_factory=list)
    severities: tuple[str, ...] = field(default=SEVERITIES)


async def build_overview(session: AsyncSession, org_id: int, today: date | None = None) -> OverviewView:
    today = today or date.today()
    window_start = today - timedelta(days=CURRENT_WINDOW_DAYS)
    rows = await credential_rows(session, org_id)
    alert_rows = (
        await session.execute(
            select(Alert.kind, Alert.severity, func.count())
            .where(Alert.org_id == org_id, Alert.status.in_(OPEN_STATUSES))
            .group_by(Alert.kind, Alert.severity)
        )
    ).all()
    by_kind: dict[str, dict[str, int]] = {}
    for kind, severity, count in alert_rows:
        by_kind.setdefault(kind, dict.fromkeys(SEVERITIES, 0))
        by_kind[kind][severity] = by_kind[kind].get(severity, 0) + count
    last_drift_run = await session.scalar(
        select(DriftRun.finished_at)
        .where(DriftRun.org_id == org_id, DriftRun.status == "succeeded")
        .order_by(DriftRun.as_of.desc(), DriftRun.id.desc())
        .limit(1)
    )
    last_run = (
        select(ImportRun.source_id, func.max(ImportRun.id).label("run_id"))
        .where(ImportRun.org_id == org_id)
        .group_by(ImportRun.source_id)
        .subquery()
    )
    source_rows = (
        await session.execute(
            select(ImportSource, ImportRun)
            .outerjoin(last_run, last_run.c.source_id == ImportSource.id)
            .outerjoin(ImportRun, ImportRun.id == last_run.c.run_id)
            .where(ImportSource.org_id == org_id)
            .order_by(ImportSource.name)
        )
    ).all()
    sources = [
        SourceFreshness(
            id=s.id,
            name=s.name,
            kind=s.kind,
            last_run_at=r.finished_at or r.started_at if r else None,
            last_status=r.status if r else None,
            last_new=r.new if r else 0,
        )
        for s, r in source_rows
    ]
    postings_total, postings_in_window, latest_posting = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(Posting.posted_at >= window_start),
                func.max(Posting.posted_at),
            ).where(Posting.org_id == org_id)
        )
    ).one()
    by_source = await session.execute(
        select(Posting.source, func.count(), func.max(Posting.posted_at), func.max(Posting.created_at))
        .where(Posting.org_id == org_id)
        .group_by(Posting.source)
        .order_by(Posting.source)
    )
    responses = await session.scalar(
        select(func.count()).where(SurveyResponse.org_id == org_id, SurveyResponse.status == "submitted")
    )
    return OverviewView(
        credentials=rows,
        alerts_by_kind=by_kind,
        open_alerts=sum(sum(v.values()) for v in by_kind.values()),
        sources=sources,
        postings_in_window=postings_in_window or 0,
        postings_total=postings_total or 0,
        window_start=window_start,
        latest_posting=latest_posting,
        survey_responses=responses or 0,
        last_drift_run=last_drift_run,
        posting_sources=[PostingSource(*row) for row in by_source.all()],
    )
