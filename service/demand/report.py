"""A program-review report of one credential: the evidence a program review, an advisory committee or a
Perkins V needs assessment asks for, gathered from the domains' own reads (credential, alignment, trend,
surveys, alerts, sources). The dashboard renders it as print-ready HTML and as a PDF;
`skillpulse credentials report` writes either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.credentials.queries import get_credential_row, read_credential
from service.credentials.schemas import CredentialRead
from service.demand.alert_history import AlertHistory, credential_alert_history
from service.demand.breakdowns import (
    SPLIT_KINDS,
    PlaceSplit,
    SourceCount,
    alignment_place_split,
    alignment_scope,
    source_counts,
)
from service.demand.schemas import AlignmentConcept, AlignmentRead
from service.demand.services import credential_alignment
from service.demand.trend import Trend, demand_trend
from service.settings import Settings
from surveys import services as survey_service
from surveys import store
from surveys.results import survey_results

SURVEYS_IN_REPORT = 3


@dataclass(frozen=True, slots=True)
class SplitRow:
    label: str
    respondents: int | None  # None when suppressed
    important_share: float | None
    suppressed: bool


SURVEY_SPLITS = (("size", "employer size"), ("sector", "sector"), ("region", "region"))


@dataclass(slots=True)
class SurveyReport:
    id: int
    title: str
    status: str
    responses: int
    results: dict[str, Any] | None = None  # surveys/results.py, for a survey with responses

    def split_rows(self, name: str) -> list[SplitRow]:
        """One row per group of a survey split (size, sector, region): respondents and the share of their
        ratings calling the competencies essential or important (pooled), or suppressed."""
        rows = []
        for group in (self.results or {}).get("splits", {}).get(name, []):
            if group.get("suppressed"):
                rows.append(SplitRow(str(group.get("label")), None, None, True))
                continue
            shares = [c.get("essential_or_important") or {} for c in group.get("competencies", [])]
            rated = sum(int(s.get("n") or 0) for s in shares)
            important = sum(int(s.get("count") or 0) for s in shares)
            pooled = round(important / rated, 4) if rated else None
            rows.append(SplitRow(str(group.get("label")), int(group.get("respondents", 0)), pooled, False))
        return rows


@dataclass(slots=True)
class ProgramReport:
    credential: CredentialRead
    alignment: AlignmentRead
    trend: Trend | None
    surveys: list[SurveyReport]
    alerts: list[AlertHistory]
    sources: list[SourceCount]
    places: dict[str, PlaceSplit]
    as_of: date
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def uncovered(self) -> list[AlignmentConcept]:
        return [c for c in self.alignment.concepts if not c.covered]

    @property
    def uncovered_share(self) -> float | None:
        """The demand-weighted share not covered (1 - coverage)."""
        coverage = self.alignment.coverage
        return None if coverage is None else round(1 - coverage, 4)

    @property
    def open_alerts(self) -> list[AlertHistory]:
        return [a for a in self.alerts if a.is_open]

    @property
    def closed_alerts(self) -> list[AlertHistory]:
        return [a for a in self.alerts if not a.is_open]

    @property
    def competency_names(self) -> dict[int, str]:
        """Competency id → its text, for survey questions that rate a competency."""
        return {c.id: c.text for c in self.credential.competencies}

    @property
    def survey_splits(self) -> tuple[tuple[str, str], ...]:
        return SURVEY_SPLITS

    @property
    def answered_surveys(self) -> list[SurveyReport]:
        return [s for s in self.surveys if s.results is not None]


async def _surveys(session: AsyncSession, org_id: int, credential_id: int) -> list[SurveyReport]:
    out: list[SurveyReport] = []
    for survey, responses in await survey_service.credential_surveys(session, org_id, credential_id):
        item = SurveyReport(survey.id or 0, survey.title, survey.status, responses)
        if responses and sum(s.results is not None for s in out) < SURVEYS_IN_REPORT:
            item.results = await survey_results(session, await store.get_survey(session, org_id, item.id))
        out.append(item)
    return out


async def build_report(
    session: AsyncSession, settings: Settings, org_id: int, credential_id: int, as_of: date | None = None
) -> ProgramReport:
    """The report of the organisation's credential (NotFoundException for another organisation's)."""
    credential = await read_credential(session, org_id, credential_id)
    row = await get_credential_row(session, org_id, credential_id)
    as_of = as_of or utcnow().date()
    alignment = await credential_alignment(session, settings.drift, row, as_of, settings.drift.current_days)
    places = {kind: await alignment_place_split(session, org_id, alignment, kind) for kind in SPLIT_KINDS}
    return ProgramReport(
        credential=credential,
        alignment=alignment,
        trend=await demand_trend(session, org_id, alignment, as_of),
        surveys=await _surveys(session, org_id, credential_id),
        alerts=await credential_alert_history(session, org_id, credential_id),
        sources=await source_counts(session, alignment_scope(org_id, alignment)),
        places=places,
        as_of=as_of,
    )
