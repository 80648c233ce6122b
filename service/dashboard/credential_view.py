"""What a credential's page shows: its competencies and links, its coverage of demand, the monthly demand of
the top concepts (for the SVG chart and the table beside it), its surveys and open alerts.

Reads go through the credentials and demand parts' own functions, so the page and the API agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.queries import get_credential_row, read_credential
from service.credentials.schemas import CredentialRead
from service.dashboard.charts import Series
from service.demand.alert_services import AlertFilters, list_alerts
from service.demand.breakdowns import SPLIT_KINDS, PlaceSplit, alignment_place_split
from service.demand.models import Alert
from service.demand.recognition import credential_recognition
from service.demand.report import SURVEY_SPLITS, SplitRow, SurveyReport
from service.demand.schemas import AlignmentRead, RecognitionRead
from service.demand.services import credential_alignment, twelve_months_back
from service.demand.trend import demand_trend
from service.settings import Settings
from surveys import services as survey_service
from surveys import store
from surveys.results import survey_results

CHART_CONCEPTS = 5
CHART_MONTHS = 12
RECOGNITION_SNIPPETS = 3
OPEN_ALERTS_SHOWN = 20


@dataclass
class DemandChart:
    months: list[str]
    series: list[Series]
    postings: list[int]  # postings per month, for the table

    @property
    def rows(self) -> list[tuple[str, int, list[float | None]]]:
        """(month, postings, share per concept) for the data table beside the chart."""
        return [
            (month, self.postings[i], [s.values[i] for s in self.series])
            for i, month in enumerate(self.months)
        ]


@dataclass
class SurveySummary:
    id: int
    title: str
    status: str
    responses: int


@dataclass
class EmployerRating:
    """How the latest survey's employers rated one competency."""

    share: float | None  # essential or important, of those who rated it
    rated: int
    survey_id: int


@dataclass
class CredentialView:
    credential: CredentialRead
    alignment: AlignmentRead
    chart: DemandChart | None
    surveys: list[SurveySummary]
    alerts: list[Alert]
    as_of: date
    ratings: dict[int, EmployerRating] = field(default_factory=dict)  # competency id → rating
    missing_skills: list[dict] = field(default_factory=list)  # from the latest survey's open answers
    places: dict[str, PlaceSplit] = field(default_factory=dict)  # the equity lens: county, cbsa
    survey_splits: list[tuple[str, list[SplitRow]]] = field(default_factory=list)  # (by what, groups)
    splits_survey: SurveySummary | None = None  # the survey the splits are of
    recognition: RecognitionRead | None = None  # do postings ask for it by name (the API's read)


async def demand_chart(
    session: AsyncSession, org_id: int, alignment: AlignmentRead, as_of: date
) -> DemandChart | None:
    trend = await demand_trend(session, org_id, alignment, as_of, CHART_CONCEPTS, CHART_MONTHS)
    if trend is None:
        return None
    series = [Series(line.label, line.values) for line in trend.lines]
    return DemandChart(months=trend.months, series=series, postings=trend.postings)


async def build_credential_view(
    session: AsyncSession, settings: Settings, org_id: int, credential_id: int, as_of: date | None = None
) -> CredentialView:
    credential = await read_credential(session, org_id, credential_id)  # 404 for another organisation's
    as_of = as_of or date.today()
    row = await get_credential_row(session, org_id, credential_id)
    alignment = await credential_alignment(session, settings.drift, row, as_of, settings.drift.current_days)
    chart = await demand_chart(session, org_id, alignment, as_of)
    surveys = [
        SurveySummary(s.id, s.title, s.status, n)
        for s, n in await survey_service.credential_surveys(session, org_id, credential_id)
    ]
    open_alerts = AlertFilters(credential_id=credential_id, open_only=True)
    alerts, _ = await list_alerts(session, org_id, open_alerts, OPEN_ALERTS_SHOWN, 0)
    view = CredentialView(credential, alignment, chart, surveys, alerts, as_of)
    view.recognition = await credential_recognition(
        session, settings.drift, row, twelve_months_back(as_of), as_of, snippets=RECOGNITION_SNIPPETS
    )
    view.places = {
        kind: await alignment_place_split(session, org_id, alignment, kind) for kind in SPLIT_KINDS
    }
    answered = next((s for s in surveys if s.responses), None)
    if answered is not None:
        survey = await store.get_survey(session, org_id, answered.id)
        results = await survey_results(session, survey)
        for item in results.get("competencies", []):
            share = item.get("essential_or_important") or {}
            if item.get("competency_id") is not None:
                rating = EmployerRating(share.get("share"), share.get("n", 0), survey.id)
                view.ratings[item["competency_id"]] = rating
        view.missing_skills = results.get("missing_skills", [])[:5]
        answered_report = SurveyReport(
            answered.id, answered.title, answered.status, answered.responses, results
        )
        view.splits_survey = answered
        splits = [(words, answered_report.split_rows(name)) for name, words in SURVEY_SPLITS]
        view.survey_splits = [(words, rows) for words, rows in splits if rows]
    return view
