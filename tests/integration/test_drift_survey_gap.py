"""survey_gap alerts from the surveys tables: low importance ratings and concepts named as missing."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from service.db import session_scope
from service.demand.models import Alert, AlertEvent
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveySkillMention,
)
from tests.support.demand_data import concept_uri, make_credential
from tests.support.runs import run_drift as drift_run


async def make_survey(
    app,
    org_id: int,
    credential_id: int,
    competency_ids: list[int],
    respondents: list[dict],
    submitted_at: datetime,
) -> int:
    """A survey with one importance question per competency and a missing-skills question, and its responses.

    Each respondent: {"ratings": {competency_id: value}, "missing": text, "named": [label, ...]}.
    """
    async with session_scope(app.state.engine) as session:
        survey = Survey(org_id=org_id, credential_id=credential_id, title="Advisory survey", status="closed")
        session.add(survey)
        await session.flush()
        questions = {}
        for position, comp_id in enumerate(competency_ids):
            q = SurveyQuestion(
                org_id=org_id,
                survey_id=survey.id,
                code=f"comp_{comp_id}",
                position=position,
                kind="single",
                text=f"Importance of {comp_id}",
                role="importance",
                competency_id=comp_id,
            )
            session.add(q)
            questions[comp_id] = q
        missing = SurveyQuestion(
            org_id=org_id,
            survey_id=survey.id,
            code="missing_skills",
            position=99,
            kind="text",
            text="Which skills do you find missing?",
            role="missing",
        )
        session.add(missing)
        await session.flush()
        for i, who in enumerate(respondents):
            invitation = SurveyInvitation(
                org_id=org_id,
                survey_id=survey.id,
                employer=f"Employer {i}",
                token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                status="submitted",
            )
            session.add(invitation)
            await session.flush()
            response = SurveyResponse(
                org_id=org_id,
                survey_id=survey.id,
                invitation_id=invitation.id,
                status="submitted",
                submitted_at=submitted_at,
                extraction_status="done",
            )
            session.add(response)
            await session.flush()
            for comp_id, value in who.get("ratings", {}).items():
                session.add(
                    SurveyAnswer(
                        org_id=org_id, response_id=response.id, question_id=questions[comp_id].id, value=value
                    )
                )
            text = who.get("missing")
            if text:
                session.add(
                    SurveyAnswer(org_id=org_id, response_id=response.id, question_id=missing.id, value=text)
                )
                for label in who.get("named", []):
                    start = text.index(label)
                    session.add(
                        SurveySkillMention(
                            org_id=org_id,
                            survey_id=survey.id,
                            response_id=response.id,
                            question_id=missing.id,
                            start=start,
                            end=start + len(label),
                            text=label,
                            concept_id=concept_uri(label),
                            concept_label=label,
                        )
                    )
        return survey.id


async def test_low_ratings_and_named_missing_concepts_raise_survey_gaps(app, api, tenant):
    made = await make_credential(
        app,
        tenant.org_id,
        "Office Certificate",
        [],
        {
            "Build spreadsheets in Lotus": ["Lotus"],
            "Query databases with SQL": ["SQL"],
        },
    )
    lotus, sql = (
        made.competency_ids["Build spreadsheets in Lotus"],
        made.competency_ids["Query databases with SQL"],
    )
    people = [
        {
            "ratings": {lotus: "not_needed", sql: "essential"},
            "missing": "Cloud skills like Kubernetes.",
            "named": ["Kubernetes"],
        },
        {
            "ratings": {lotus: "not_needed", sql: "essential"},
            "missing": "Kubernetes and more SQL practice",
            "named": ["Kubernetes", "SQL"],
        },
        {
            "ratings": {lotus: "not_needed", sql: "important"},
            "missing": "We need people who know Kubernetes well.",
            "named": ["Kubernetes"],
        },
        {"ratings": {lotus: "not_needed", sql: "essential"}, "missing": "SQL", "named": ["SQL"]},
        {"ratings": {lotus: "dont_know", sql: "essential"}, "missing": "Go programming", "named": ["Go"]},
        {"ratings": {lotus: "essential", sql: "useful"}},
    ]
    await make_survey(
        app, tenant.org_id, made.credential_id, [lotus, sql], people, datetime(2025, 5, 10, 12, tzinfo=UTC)
    )
    response = await drift_run(api, {"as_of": "2025-06-30"})
    entry = response["summary"]["credentials"][str(made.credential_id)]
    assert entry["status"] == "no_occupations" and entry["respondents"] == 6
    async with session_scope(app.state.engine) as session:
        alerts = list(
            await session.scalars(select(Alert).where(Alert.org_id == tenant.org_id).order_by(Alert.id))
        )
    assert [(a.kind, a.competency_id, a.concept_id) for a in alerts] == [
        ("survey_gap", lotus, None),
        ("survey_gap", None, concept_uri("Kubernetes")),
    ]
    low, named = alerts
    assert low.evidence["rated"] == 5 and low.evidence["low"] == 4 and low.evidence["share"] == 0.8
    assert low.evidence["answers"] == {"not_needed": 4, "dont_know": 1, "essential": 1}
    assert "4 of 5 employers" in low.title
    assert named.evidence["named_by"] == 3 and named.evidence["respondents"] == 6
    quotes = named.evidence["survey_quotes"]
    assert len(quotes) == 3
    for q in quotes:
        assert q["quote"][q["match_start"] : q["match_end"]] == "Kubernetes"
    assert "3 of 6 employers" in named.title

    again = await drift_run(api, {"as_of": "2025-06-30"})
    assert again["summary"]["alerts"]["opened"] == 0
    assert again["summary"]["alerts"]["unchanged"] == 2
    # The next night: a later window, the same employers' answers: the evidence follows, nobody is notified.
    later = await drift_run(api, {"as_of": "2025-07-01"})
    assert later["summary"]["alerts"]["refreshed"] == 2
    async with session_scope(app.state.engine) as session:
        events = list(await session.scalars(select(AlertEvent.event).where(AlertEvent.alert_id == named.id)))
        refreshed = await session.get(Alert, named.id)
    assert events == ["opened"]
    assert refreshed.evidence["as_of"] == "2025-07-01"


async def test_too_few_or_too_old_respondents_raise_nothing(app, api, tenant):
    made = await make_credential(
        app, tenant.org_id, "Small Certificate", [], {"Build spreadsheets in Lotus": []}
    )
    lotus = made.competency_ids["Build spreadsheets in Lotus"]
    few = [{"ratings": {lotus: "not_needed"}, "missing": "Kubernetes", "named": ["Kubernetes"]}] * 3
    await make_survey(app, tenant.org_id, made.credential_id, [lotus], few, datetime(2025, 5, 1, tzinfo=UTC))
    old = [{"ratings": {lotus: "not_needed"}, "missing": "Kubernetes", "named": ["Kubernetes"]}] * 8
    await make_survey(app, tenant.org_id, made.credential_id, [lotus], old, datetime(2020, 5, 1, tzinfo=UTC))
    response = await drift_run(api, {"as_of": "2025-06-30"})
    assert response["summary"]["credentials"][str(made.credential_id)]["respondents"] == 3
    async with session_scope(app.state.engine) as session:
        assert list(await session.scalars(select(Alert.id).where(Alert.org_id == tenant.org_id))) == []


async def test_emerging_skill_evidence_carries_employers_words(app, api, tenant):
    from datetime import date

    from tests.support.demand_data import add_postings, year_of_postings

    made = await make_credential(
        app, tenant.org_id, "Cloud Certificate", ["15-1232.00"], {"Use SQL": ["SQL"]}
    )

    def shares(month: int) -> dict[str, float]:
        return {"SQL": 0.5, "Docker": 0.4 if month >= 9 else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 60, "15-1232.00", shares, seed=3)
    )
    people = [
        {"missing": "Graduates should know Docker.", "named": ["Docker"]},
        {"missing": "Nothing really"},
    ]
    await make_survey(app, tenant.org_id, made.credential_id, [], people, datetime(2024, 11, 20, tzinfo=UTC))
    response = await drift_run(api, {"as_of": "2025-01-01"})
    assert response["status"] == "succeeded"
    async with session_scope(app.state.engine) as session:
        emerging = await session.scalar(
            select(Alert).where(Alert.org_id == tenant.org_id, Alert.kind == "emerging_skill")
        )
    [quote] = emerging.evidence["survey_quotes"]
    assert quote["quote"] == "Graduates should know Docker."
    assert quote["quote"][quote["match_start"] : quote["match_end"]] == "Docker"
