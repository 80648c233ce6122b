"""Drift over a generated history: a planted rise alerts once, noise and thin data never alert, reruns
are idempotent.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from service.db import session_scope
from service.demand.models import Alert, AlertEvent
from tests.support.demand_data import add_postings, concept_uri, make_credential, year_of_postings
from tests.support.runs import run_drift as drift_run

STABLE = {"SQL": 0.5, "communication": 0.4, "Excel": 0.3, "Tableau": 0.12, "statistics": 0.2}
COMPETENCIES = {
    "Analyse data with SQL": ["SQL"],
    "Communicate findings to stakeholders": ["communication"],
    "Apply descriptive statistics": ["statistics"],
}


def monthly(start_year: int, start_month: int, count: int) -> list[date]:
    out = []
    year, month = start_year, start_month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


async def alerts_of(app, org_id: int) -> list[Alert]:
    async with session_scope(app.state.engine) as session:
        return list(await session.scalars(select(Alert).where(Alert.org_id == org_id).order_by(Alert.id)))


async def run(api, as_of: date) -> dict:
    body = await drift_run(api, {"as_of": as_of.isoformat()})
    assert body["status"] == "succeeded", body
    return body


async def test_planted_rise_raises_one_emerging_skill_alert_in_the_first_run_after_it(app, api, tenant):
    made = await make_credential(app, tenant.org_id, "Data Analytics Certificate", ["15-2051"], COMPETENCIES)

    def shares(month: int) -> dict[str, float]:
        # 2024-01 .. 2025-12; Docker rises from 2% to 25% in October 2025 (month 21).
        return {**STABLE, "Docker": 0.25 if month >= 21 else 0.02}

    planned = year_of_postings(date(2024, 1, 1), 24, 120, "15-2051.00", shares, seed=11)
    for i, plan in enumerate(planned):  # half coded to another O*NET child of the same SOC code
        if i % 2:
            plan.occupation = "15-2051.01"
    await add_postings(app, tenant.org_id, planned)

    for as_of in monthly(2025, 1, 10):  # 2025-01-01 .. 2025-10-01: before the rise shows
        summary = (await run(api, as_of))["summary"]
        assert summary["credentials"][str(made.credential_id)]["status"] == "ok"
        assert await alerts_of(app, tenant.org_id) == [], f"false alarm as of {as_of}"

    first = await run(api, date(2025, 11, 1))
    alerts = await alerts_of(app, tenant.org_id)
    assert [(a.kind, a.concept_id) for a in alerts] == [("emerging_skill", concept_uri("Docker"))]
    assert first["summary"]["alerts"]["opened"] == 1
    alert = alerts[0]
    evidence = alert.evidence
    assert evidence["shares"]["baseline"] < 0.04 < 0.08 < evidence["shares"]["current"]
    assert evidence["q_value"] <= 0.05 and evidence["p_value"] <= evidence["q_value"]
    assert evidence["postings"]["current"] >= 300 and evidence["postings"]["baseline"] >= 1000
    assert evidence["windows"]["current"] == {"from": "2025-08-04", "to": "2025-11-01"}
    assert 1 <= len(evidence["snippets"]) <= 5
    for snippet in evidence["snippets"]:
        assert snippet["snippet"][snippet["match_start"] : snippet["match_end"]] == "Docker"
    assert evidence["required"]["current"] + evidence["preferred"]["current"] >= evidence["counts"]["current"]
    assert alert.severity == "low"  # an early signal: a quarter of the window so far
    assert "Docker" in alert.title

    for as_of in monthly(2025, 12, 2):  # later runs update the same alert
        await run(api, as_of)
    again = await run(api, date(2026, 1, 1))  # a rerun of the same date changes nothing
    assert again["summary"]["alerts"]["opened"] == 0
    assert again["summary"]["alerts"]["updated"] == 0
    emerging = [a for a in await alerts_of(app, tenant.org_id) if a.kind == "emerging_skill"]
    assert len(emerging) == 1 and emerging[0].id == alert.id and emerging[0].status == "open"
    assert emerging[0].severity in {"medium", "high"}  # the whole current window now shows the rise
    async with session_scope(app.state.engine) as session:
        events = list(
            await session.scalars(
                select(AlertEvent.event).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
            )
        )
    assert events == ["opened", "updated", "updated"]


async def test_stable_credential_with_noise_raises_nothing(app, api, tenant):
    made = await make_credential(app, tenant.org_id, "Stable Certificate", ["15-2051.00"], COMPETENCIES)
    noise = {**STABLE, "Python": 0.15, "R": 0.08, "Power BI": 0.05, "Docker": 0.03}
    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 24, 100, "15-2051.00", noise, seed=5)
    )
    for as_of in monthly(2025, 1, 12):
        summary = (await run(api, as_of))["summary"]
        entry = summary["credentials"][str(made.credential_id)]
        assert entry["status"] == "ok" and entry["tests"] >= 9
    assert await alerts_of(app, tenant.org_id) == []


async def test_a_thin_month_is_insufficient_data_and_raises_nothing(app, api, tenant):
    made = await make_credential(app, tenant.org_id, "Thin Certificate", ["15-2051.00"], COMPETENCIES)
    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 100, "15-2051.00", STABLE, seed=3)
    )
    # Only ten postings in the current window, most asking for something new.
    await add_postings(
        app,
        tenant.org_id,
        year_of_postings(date(2025, 3, 1), 1, 10, "15-2051.00", {**STABLE, "Kubernetes": 0.9}, seed=4),
    )
    summary = (await run(api, date(2025, 4, 1)))["summary"]
    entry = summary["credentials"][str(made.credential_id)]
    assert entry["status"] == "insufficient_data"
    assert entry["postings"]["current"] == 10
    assert await alerts_of(app, tenant.org_id) == []


async def test_dropping_competency_raises_fading_competency(app, api, tenant):
    made = await make_credential(
        app,
        tenant.org_id,
        "Legacy Certificate",
        ["15-2051.00"],
        {**COMPETENCIES, "Build spreadsheets in Lotus": ["Lotus"]},
    )

    def shares(month: int) -> dict[str, float]:
        return {**STABLE, "Lotus": 0.30 if month < 9 else 0.03}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 100, "15-2051.00", shares, seed=8)
    )
    await run(api, date(2025, 1, 1))
    fading = [a for a in await alerts_of(app, tenant.org_id) if a.kind == "fading_competency"]
    assert len(fading) == 1
    assert fading[0].competency_id == made.competency_ids["Build spreadsheets in Lotus"]
    assert fading[0].evidence["shares"]["current"] < 0.06 < 0.25 < fading[0].evidence["shares"]["baseline"]
    assert fading[0].evidence["snippets"], "postings from the baseline that asked for it"


async def test_coverage_drop_alert_when_demand_moves_to_uncovered_concepts(app, api, tenant):
    await make_credential(app, tenant.org_id, "Narrow Certificate", ["15-2051.00"], COMPETENCIES)

    def shares(month: int) -> dict[str, float]:
        late = month >= 9
        return {**STABLE, "Docker": 0.45 if late else 0.0, "Kubernetes": 0.4 if late else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 100, "15-2051.00", shares, seed=9)
    )
    await run(api, date(2025, 1, 1))
    kinds = sorted(a.kind for a in await alerts_of(app, tenant.org_id))
    assert kinds == ["coverage_drop", "emerging_skill", "emerging_skill"]
    drop = next(a for a in await alerts_of(app, tenant.org_id) if a.kind == "coverage_drop")
    assert drop.evidence["coverage"]["baseline"] - drop.evidence["coverage"]["current"] >= 0.10
    assert {u["label"] for u in drop.evidence["uncovered"]} >= {"Docker", "Kubernetes"}
