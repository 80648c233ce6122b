"""GET /api/v1/credentials/{id}/alignment: demanded concepts, covered by links or by fuzzy text, weighted."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from service.credentials.models import CompetencySkill
from service.db import session_scope
from tests.support.demand_data import PlannedPosting, add_postings, make_credential


async def test_alignment_weights_coverage_by_demand(app, api, tenant):
    made = await make_credential(
        app,
        tenant.org_id,
        "Support Certificate",
        ["15-1232"],
        {
            "Administer Linux servers": ["Linux"],  # a confirmed link covers Linux
            "Write SQL queries for reports": [],  # no link: fuzzy text match covers SQL
            "Explain networking to customers": ["networking"],
        },
    )
    as_of = date(2025, 6, 30)
    plans = []
    for i in range(40):
        concepts = [("Linux", "required")]
        if i < 20:
            concepts.append(("SQL", "preferred"))
        if i < 10:
            concepts.append(("Kubernetes", "required"))
        if i < 1:
            concepts.append(("Cobol", "required"))  # 2.5%: below the demand floor
        plans.append(PlannedPosting(as_of - timedelta(days=i), "15-1232.00", concepts))
    await add_postings(app, tenant.org_id, plans)

    response = await api.get(
        f"/api/v1/credentials/{made.credential_id}/alignment", params={"as_of": "2025-06-30"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok" and body["postings"] == 40
    assert body["window"] == {"from": "2025-04-02", "to": "2025-06-30"}
    concepts = {c["label"]: c for c in body["concepts"]}
    assert set(concepts) == {"Linux", "SQL", "Kubernetes"}
    assert concepts["Linux"]["covered_by"][0]["method"] == "link"
    assert concepts["SQL"]["covered"] and concepts["SQL"]["covered_by"][0]["method"] == "fuzzy"
    assert (
        concepts["SQL"]["covered_by"][0]["competency_id"]
        == made.competency_ids["Write SQL queries for reports"]
    )
    assert not concepts["Kubernetes"]["covered"]
    assert concepts["SQL"]["share"] == 0.5 and concepts["SQL"]["preferred"] == 20
    assert body["coverage"] == round((1.0 + 0.5) / (1.0 + 0.5 + 0.25), 4)

    # A designer rejecting the Linux link uncovers it (and blocks the fuzzy fallback for that pair).
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(CompetencySkill)
            .where(CompetencySkill.competency_id == made.competency_ids["Administer Linux servers"])
            .values(status="rejected")
        )
    after = (
        await api.get(f"/api/v1/credentials/{made.credential_id}/alignment", params={"as_of": "2025-06-30"})
    ).json()
    assert {c["label"]: c["covered"] for c in after["concepts"]} == {
        "Linux": False,
        "SQL": True,
        "Kubernetes": False,
    }
    assert after["coverage"] == round(0.5 / 1.75, 4)


async def test_alignment_thin_data_and_errors(app, api, other_api, tenant):
    made = await make_credential(app, tenant.org_id, "Thin", ["15-1232.00"], {"Use Linux": ["Linux"]})
    await add_postings(
        app, tenant.org_id, [PlannedPosting(date(2025, 6, 1), "15-1232.00", [("Linux", "required")])]
    )
    body = (
        await api.get(f"/api/v1/credentials/{made.credential_id}/alignment", params={"as_of": "2025-06-30"})
    ).json()
    assert body["status"] == "insufficient_data" and body["postings"] == 1 and body["coverage"] == 1.0

    none = await make_credential(app, tenant.org_id, "No occupations", [])
    assert (await api.get(f"/api/v1/credentials/{none.credential_id}/alignment")).json()[
        "status"
    ] == "no_occupations"

    assert (await other_api.get(f"/api/v1/credentials/{made.credential_id}/alignment")).status_code == 404
    assert (await api.get("/api/v1/credentials/987654321/alignment")).status_code == 404
    bad = await api.get(f"/api/v1/credentials/{made.credential_id}/alignment", params={"as_of": "yesterday"})
    assert bad.status_code == 400 and "as_of" in bad.json()["detail"]
    short = await api.get(f"/api/v1/credentials/{made.credential_id}/alignment", params={"days": 2})
    assert short.status_code == 400
