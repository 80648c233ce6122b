"""A credential with everything its program-review report shows: postings in and around its service region
(the Cleveland-Elyria metro) from two sources, an employer survey with ratings and quotes, an open alert and a
resolved one with the designer's note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from litestar import Litestar
from sqlalchemy import select

from service.credentials.models import Credential
from service.db import session_scope
from surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from tests.integration.test_drift_survey_gap import make_survey
from tests.support.demand_data import PlannedPosting, add_postings, make_credential
from tests.support.factories import Tenant
from tests.support.seeds_dashboard import make_alert

OCCUPATION = "15-1232.00"
REGION = ["cbsa:17410"]  # Cleveland-Elyria, OH
CTID = "ce-0b1c2d3e-report-test"


@dataclass
class ReportSeed:
    credential_id: int
    open_alert_id: int
    closed_alert_id: int
    survey_id: int


def _postings(where: str, count: int, concepts: list[tuple[str, str]], today: date) -> list[PlannedPosting]:
    return [
        PlannedPosting(today - timedelta(days=3 + i), OCCUPATION, concepts, region=where)
        for i in range(count)
    ]


async def seed_report(app: Litestar, tenant: Tenant, name: str = "Cloud Support Certificate") -> ReportSeed:
    """Postings of the last weeks: Cuyahoga 6 (Linux, Kubernetes), Lorain 4 (Linux, Python), Lake 2 (Linux),
    remote 3 (Linux), Columbus 5 (outside the region: not counted). Linux and Python are covered, Kubernetes
    is not."""
    today = date.today()
    made = await make_credential(
        app,
        tenant.org_id,
        name,
        [OCCUPATION],
        {"Administer Linux servers": ["Linux"], "Write Python scripts": ["Python"]},
    )
    async with session_scope(app.state.engine) as session:
        row = await session.get(Credential, made.credential_id)
        assert row is not None
        row.region, row.region_codes, row.ctid = "Cleveland-Elyria metro", REGION, CTID
    linux, k8s, python = ("Linux", "required"), ("Kubernetes", "required"), ("Python", "preferred")
    await add_postings(
        app, tenant.org_id, _postings("Cleveland, OH", 6, [linux, k8s], today), source="Ohio Means Jobs"
    )
    board = [
        *_postings("Elyria, OH", 4, [linux, python], today),
        *_postings("Painesville, OH", 2, [linux], today),
        *_postings("Remote - US", 3, [linux], today),
        *_postings("Columbus, OH", 5, [linux, k8s, python], today),
    ]
    await add_postings(app, tenant.org_id, board, source="Greenhouse: Acme")
    comp_ids = list(made.competency_ids.values())
    respondents = [
        {"ratings": {comp_ids[0]: "essential", comp_ids[1]: "important"}},
        {"ratings": {comp_ids[0]: "essential", comp_ids[1]: "nice_to_have"}},
        {
            "ratings": {comp_ids[0]: "important", comp_ids[1]: "not_needed"},
            "missing": "Our new hires need Kubernetes from day one",
            "named": ["Kubernetes"],
        },
        {"ratings": {comp_ids[0]: "nice_to_have", comp_ids[1]: "important"}},
    ]
    survey_id = await make_survey(
        app, tenant.org_id, made.credential_id, comp_ids, respondents, datetime.now(UTC) - timedelta(days=2)
    )
    await _add_size_question(app, tenant.org_id, survey_id, ["small", "small", "small", "large"])
    open_id = await make_alert(app, tenant, made.credential_id, title="Employers ask for Kubernetes")
    closed_id = await make_alert(
        app, tenant, made.credential_id, title="Fewer postings ask for Bash", subject="bash", severity="low"
    )
    return ReportSeed(made.credential_id, open_id, closed_id, survey_id)


async def _add_size_question(app: Litestar, org_id: int, survey_id: int, sizes: list[str]) -> None:
    """The employer-size question of the survey, answered by each response in order."""
    async with session_scope(app.state.engine) as session:
        question = SurveyQuestion(
            org_id=org_id,
            survey_id=survey_id,
            code="size",
            position=100,
            kind="single",
            text="How many people does your organisation employ?",
            role="size",
            options=[
                {"value": "small", "label": "Fewer than 50"},
                {"value": "large", "label": "250 or more"},
            ],
        )
        session.add(question)
        await session.flush()
        responses = await session.scalars(
            select(SurveyResponse.id).where(SurveyResponse.survey_id == survey_id).order_by(SurveyResponse.id)
        )
        for response_id, size in zip(responses, sizes, strict=True):
            session.add(
                SurveyAnswer(org_id=org_id, response_id=response_id, question_id=question.id, value=size)
            )
