"""A credential's recognition aliases (POST / PATCH / GET) and GET /api/v1/credentials/{id}/recognition: the
share of relevant postings asking for it by month, with snippets, beside the surveys' recognition answers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from service.credentials.models import Credential
from service.db import session_scope
from tests.support.demand_data import PlannedPosting, add_postings
from tests.support.seeds_surveys import (
    answer_all,
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)

DRIVER = "53-3032.00"
CDL = {"name": "Commercial Driver's License Class A", "type": "License", "occupations": ["53-3032"]}


async def test_aliases_proposed_until_set_then_edited_and_cleared(api, other_api, app):
    created = await api.post("/api/v1/credentials", json=CDL)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["recognition_aliases"] == []
    assert {"CDL Class A", "CDL-A", "Class A CDL"} <= set(body["proposed_recognition_aliases"])
    url = f"/api/v1/credentials/{body['id']}"

    patched = await api.patch(url, json={"recognition_aliases": ["  CDL-A ", "Class A CDL", "cdl-a", ""]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["recognition_aliases"] == ["CDL-A", "Class A CDL"]  # trimmed, repeats dropped
    assert (await api.get(url)).json()["recognition_aliases"] == ["CDL-A", "Class A CDL"]

    bad = await api.patch(url, json={"recognition_aliases": ["CDL-A", "x"]})
    assert bad.status_code == 400
    assert "alias 'x' must be 2 to 120 characters" in bad.text
    unchanged = (await api.get(url)).json()
    assert unchanged["recognition_aliases"] == ["CDL-A", "Class A CDL"]  # nothing half-stored
    assert (await api.patch(url, json={"recognition_aliases": "CDL"})).status_code == 400

    cleared = await api.patch(url, json={"recognition_aliases": None})
    assert cleared.status_code == 200 and cleared.json()["recognition_aliases"] == []
    assert (await other_api.patch(url, json={"recognition_aliases": ["CDL"]})).status_code == 404

    with_aliases = await api.post(
        "/api/v1/credentials",
        json={"name": "Certified Nursing Assistant", "recognition_aliases": ["CNA", "STNA"]},
    )
    assert with_aliases.status_code == 201, with_aliases.text
    async with session_scope(app.state.engine) as session:
        row = await session.scalar(select(Credential).where(Credential.id == with_aliases.json()["id"]))
        assert row is not None and row.recognition_aliases == ["CNA", "STNA"]


def _posting(day: date, text: str, occupation: str = DRIVER, **extra) -> PlannedPosting:  # noqa: ANN003
    return PlannedPosting(day, occupation, [], text=text, **extra)


async def _driver_postings(app, org_id: int) -> None:  # noqa: ANN001
    await add_postings(
        app,
        org_id,
        [
            _posting(date(2026, 3, 4), "Regional driver.\nRequirements:\n- Valid Class A CDL\n- Clean MVR"),
            _posting(date(2026, 3, 9), "Yard hostler. CDL-A preferred; we will train on the yard."),
            _posting(date(2026, 3, 12), "Box truck driver. No CDL required, 26 ft trucks."),
            _posting(date(2026, 3, 20), "Trainee: we will pay for your CDL-A training. No CDL needed."),
            _posting(
                date(2026, 4, 2), "Tanker driver: Class A CDL with hazmat required.", content_hash="tank"
            ),
            _posting(
                date(2026, 4, 3), "Tanker driver: Class A CDL with hazmat required.", content_hash="tank"
            ),
            _posting(date(2026, 4, 8), "Dump truck driver, CDL Class A or B required."),
            _posting(date(2026, 4, 9), "Warehouse associate, forklift experience helpful."),
            _posting(date(2026, 4, 10), "Route driver, Class A CDL required.", extraction_status="pending"),
            _posting(date(2026, 4, 11), "Mechanic. Class A CDL required.", occupation="49-3031.00"),
        ],
    )


async def _answer_recognition(api, app, tenant, client, answers: list[str]) -> int:  # noqa: ANN001
    survey = await create_open_survey(api, app, tenant, competencies=1)
    links = await invite(api, survey["id"], len(answers))
    for answer, link in zip(answers, links, strict=True):
        final = await answer_all(client, path_of(link["url"]), survey, choose={"recognition": answer})
        assert "Thank you" in final.text
    return survey["credential_id"]


async def test_recognition_by_month_with_snippets_beside_the_survey(api, other_api, app, tenant, client):
    credential_id = await _answer_recognition(
        api, app, tenant, client, ["requires", "prefers", "not_considered"]
    )
    patched = await api.patch(f"/api/v1/credentials/{credential_id}", json={**CDL, "name": "CDL Class A"})
    assert patched.status_code == 200, patched.text
    await _driver_postings(app, tenant.org_id)
    url = f"/api/v1/credentials/{credential_id}/recognition"

    response = await api.get(url, params={"from": "2026-03-01", "to": "2026-04-30"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok" and body["aliases_source"] == "proposed"
    assert "CDL-A" in body["aliases"] and body["occupations"] == ["53-3032"]
    months = {m["period"]: m for m in body["months"]}
    # March: 4 postings, 2 ask (one required under "Requirements:", one preferred); "no CDL required" and the
    # paid training do not. April: the syndicated tanker advert counts once, the pending and the mechanic's
    # posting not at all.
    assert months["2026-03"] == {
        "period": "2026-03",
        "postings": 4,
        "asking": 2,
        "required": 1,
        "preferred": 1,
        "share": 0.5,
    }
    assert months["2026-04"] == {
        "period": "2026-04",
        "postings": 3,
        "asking": 2,
        "required": 2,
        "preferred": 0,
        "share": 0.6667,
    }
    assert (body["postings"], body["asking"], body["required"], body["preferred"]) == (7, 4, 3, 1)
    assert body["share"] == round(4 / 7, 4)
    newest = body["snippets"][0]
    assert newest["sentence"] == "Dump truck driver, CDL Class A or B required."
    assert newest["sentence"][newest["match_start"] : newest["match_end"]] == "CDL Class A"
    assert newest["requirement"] == "required" and newest["title"] == "Analyst"
    assert len(body["snippets"]) == 4
    survey = body["survey"]
    assert survey["answers"] == 3 and survey["distribution"]["requires"] == 1
    assert survey["requires_or_prefers"]["count"] == 2 and len(survey["surveys"]) == 1

    set_aliases = await api.patch(
        f"/api/v1/credentials/{credential_id}", json={"recognition_aliases": ["Class A CDL"]}
    )
    assert set_aliases.status_code == 200
    narrowed = (await api.get(url, params={"from": "2026-03-01", "to": "2026-04-30", "snippets": 1})).json()
    assert narrowed["aliases_source"] == "set" and narrowed["aliases"] == ["Class A CDL"]
    assert (narrowed["asking"], len(narrowed["snippets"])) == (2, 1)  # the regional and the tanker

    assert (await api.get(url, params={"from": "2026-05-01", "to": "2026-04-01"})).status_code == 400
    assert (await api.get(url, params={"snippets": 51})).status_code == 400
    assert (await other_api.get(url)).status_code == 404


async def test_recognition_without_occupations_or_in_its_region(api, app, tenant):
    bare = (await api.post("/api/v1/credentials", json={"name": "CDL Class A", "type": "License"})).json()
    none = (await api.get(f"/api/v1/credentials/{bare['id']}/recognition")).json()
    assert none["status"] == "no_occupations" and none["postings"] == 0 and none["months"][0]["share"] is None

    ohio = await api.post(
        "/api/v1/credentials",
        json={**CDL, "name": "Ohio CDL-A", "region_codes": ["OH"], "recognition_aliases": ["Class A CDL"]},
    )
    assert ohio.status_code == 201, ohio.text
    await add_postings(
        app,
        tenant.org_id,
        [
            _posting(date(2026, 3, 4), "Driver. Class A CDL required.", region="Columbus, OH"),
            _posting(date(2026, 3, 5), "Driver. Class A CDL required.", region="Austin, TX"),
        ],
    )
    url = f"/api/v1/credentials/{ohio.json()['id']}/recognition"
    window = {"from": "2026-03-01", "to": "2026-03-31"}
    here = (await api.get(url, params={**window, "in_region": "true"})).json()
    everywhere = (await api.get(url, params={**window, "in_region": "false"})).json()
    assert here["region"] == ["state:OH"] and (here["postings"], here["asking"]) == (1, 1)
    assert everywhere["region"] == [] and (everywhere["postings"], everywhere["asking"]) == (2, 2)
