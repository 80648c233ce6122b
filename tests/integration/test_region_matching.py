"""Regions compare by codes: the demand filter, a credential's service region (set in words or as codes)
and the coverage counted in it. Postings carry the codes the intake stores (tests/support/demand_data)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.integration.test_dashboard_auth import Browser, browser  # noqa: F401 - fixture
from tests.support.demand_data import PlannedPosting, add_postings, make_credential, year_of_postings
from tests.support.runs import run_drift as drift_run

WHERE = {
    "toledo": "Toledo, OH 43604",
    "cleveland": "Cleveland, OH",
    "columbus": "Columbus, OH",
    "ohio": "Ohio",
    "austin": "Austin, TX",
    "remote_us": "Remote - US",
    "remote_oh": "Remote - OH",
    "remote_tx": "Remote, TX",
    "remote": "Remote",
    "unknown": "Springfield",
}
PARAMS = {"occupation": "15-1232.00", "from": "2025-03-01", "to": "2025-03-31"}


@pytest.fixture
async def placed(app, tenant) -> None:
    """One SQL posting in each place of WHERE, in March 2025."""
    await add_postings(
        app,
        tenant.org_id,
        [
            PlannedPosting(date(2025, 3, 3), "15-1232.00", [("SQL", "required")], region=text)
            for text in WHERE.values()
        ],
    )


async def _count(api, region: str | list[str]) -> int:
    response = await api.get("/api/v1/demand", params={**PARAMS, "region": region})
    assert response.status_code == 200, response.text
    return response.json()["series"][0]["postings"]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("county:39035", {"cleveland", "remote_us", "remote_oh"}),
        ("39035", {"cleveland", "remote_us", "remote_oh"}),
        ("cbsa:17410", {"cleveland", "remote_us", "remote_oh"}),
        ("OH", {"toledo", "cleveland", "columbus", "ohio", "remote_us", "remote_oh"}),
        ("US-TX", {"austin", "remote_us", "remote_tx"}),
        ("39095,39035", {"toledo", "cleveland", "remote_us", "remote_oh"}),
        ("remote", {"remote_us", "remote_oh", "remote_tx", "remote"}),
    ],
)
async def test_the_demand_filter_takes_any_code(api, placed, region, expected):
    assert await _count(api, region) == len(expected)
    assert await _count(api, []) == len(WHERE)


async def test_the_filter_answers_its_codes_canonical(api, placed):
    params = [*PARAMS.items(), ("region", "oh"), ("region", "39035")]
    response = await api.get("/api/v1/demand", params=params)
    assert response.json()["region"] == ["county:39035", "state:OH"]
    assert (await api.get("/api/v1/demand", params=PARAMS)).json()["region"] == []


@pytest.mark.parametrize("bad", ["99999", "cbsa:17460", "XX", "Ohio", "county:09001", "state:Ohio"])
async def test_an_unknown_code_is_a_400_naming_it(api, bad):
    response = await api.get("/api/v1/demand", params={**PARAMS, "region": f"OH,{bad}"})
    assert response.status_code == 400 and repr(bad) in response.json()["detail"], response.text


async def test_a_credentials_region_in_words_becomes_codes(api):
    body = {"name": "Network Tech", "occupations": ["15-1231.00"], "region": "Lucas County, OH"}
    created = (await api.post("/api/v1/credentials", json=body)).json()
    assert created["region_codes"] == ["county:39095"]
    cid = created["id"]
    patched = await api.patch(f"/api/v1/credentials/{cid}", json={"region": "Northeast Ohio"})
    assert patched.json()["region_codes"] == ["state:OH"]
    unknown = await api.patch(f"/api/v1/credentials/{cid}", json={"region": "Springfield"})
    assert unknown.json()["region"] == "Springfield" and unknown.json()["region_codes"] == []


async def test_region_codes_are_set_through_the_api_and_survive_edits(api, viewer_api):
    body = {"name": "Welding", "occupations": ["51-4121.00"], "region": "Northeast Ohio"}
    cid = (await api.post("/api/v1/credentials", json=body)).json()["id"]
    codes = ["39035", "39085", "cbsa:17410", "OH"]
    refused = await viewer_api.patch(f"/api/v1/credentials/{cid}", json={"region_codes": codes})
    assert refused.status_code == 403
    patched = await api.patch(f"/api/v1/credentials/{cid}", json={"region_codes": codes})
    assert patched.status_code == 200, patched.text
    expected = ["cbsa:17410", "county:39035", "county:39085", "state:OH"]
    assert patched.json()["region_codes"] == expected and patched.json()["region"] == "Northeast Ohio"
    edited = await api.patch(
        f"/api/v1/credentials/{cid}", json={"description": "MIG and TIG", "competencies": [{"text": "Weld"}]}
    )
    assert edited.status_code == 200 and edited.json()["region_codes"] == expected
    assert (await api.get(f"/api/v1/credentials/{cid}")).json()["region_codes"] == expected
    listed = (await api.get("/api/v1/credentials")).json()["items"]
    assert [c["region_codes"] for c in listed if c["id"] == cid] == [expected]


async def test_an_unknown_region_code_on_a_credential_is_a_400_naming_it(api):
    body = {"name": "HVAC", "occupations": ["49-9021.00"], "region_codes": ["OH", "county:99999"]}
    created = await api.post("/api/v1/credentials", json=body)
    assert created.status_code == 400 and "'county:99999'" in created.json()["detail"], created.text
    cid = (await api.post("/api/v1/credentials", json={**body, "region_codes": ["OH"]})).json()["id"]
    patched = await api.patch(f"/api/v1/credentials/{cid}", json={"region_codes": ["cbsa:17460"]})
    assert patched.status_code == 400 and "'cbsa:17460'" in patched.json()["detail"], patched.text
    assert (await api.get(f"/api/v1/credentials/{cid}")).json()["region_codes"] == ["state:OH"]


async def test_a_csv_import_reads_the_region_into_codes(api):
    csv = (
        "credential_name,credential_type,credential_url,occupations,region,competency_text\n"
        'Cyber,Certificate,,15-1212.00,"Cleveland, OH",Harden a Linux server\n'
    )
    imported = await api.post("/api/v1/credentials/import", content=csv, headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text
    listed = (await api.get("/api/v1/credentials")).json()["items"]
    assert [c["region_codes"] for c in listed if c["name"] == "Cyber"] == [["county:39035"]]


async def test_coverage_counts_the_postings_of_the_credentials_region(app, api, tenant, placed):
    made = await make_credential(app, tenant.org_id, "Data", ["15-1232.00"], {"Use SQL": ["SQL"]})
    url = f"/api/v1/credentials/{made.credential_id}/alignment"
    params = {"as_of": "2025-03-31", "days": 31}
    everywhere = (await api.get(url, params=params)).json()
    assert everywhere["postings"] == len(WHERE) and everywhere["region"] == []
    await api.patch(f"/api/v1/credentials/{made.credential_id}", json={"region_codes": ["cbsa:17410"]})
    regional = (await api.get(url, params=params)).json()
    assert regional["region"] == ["cbsa:17410"]
    assert regional["postings"] == 3  # Cleveland, and remote allowed in the US and in Ohio


async def test_the_credential_page_shows_the_codes_demand_is_counted_in(browser: Browser, api, tenant):  # noqa: F811
    body = {"name": "Machining", "occupations": ["51-4041.00"], "region": "Lucas County, OH"}
    cid = (await api.post("/api/v1/credentials", json=body)).json()["id"]
    await browser.login(tenant.designer_email)
    page = await browser.get(f"/app/credentials/{cid}")
    assert page.status_code == 200 and "Lucas County, OH (county:39095; demand counted in it)" in page.text
    await api.patch(f"/api/v1/credentials/{cid}", json={"region": "Springfield"})
    page = await browser.get(f"/app/credentials/{cid}")
    assert "Springfield (no codes: demand counted everywhere)" in page.text


async def test_one_drift_run_counts_each_credential_in_its_own_region(app, api, tenant):
    toledo = await make_credential(app, tenant.org_id, "Toledo", ["15-1232.00"], {"Use SQL": ["SQL"]})
    await api.patch(f"/api/v1/credentials/{toledo.credential_id}", json={"region_codes": ["cbsa:45780"]})
    columbus = await make_credential(
        app, tenant.org_id, "Columbus", ["15-1232.00"], {"Use SQL": ["SQL"]}, region="Columbus, OH"
    )
    anywhere = await make_credential(app, tenant.org_id, "Anywhere", ["15-1232.00"], {"Use SQL": ["SQL"]})
    places = {"Toledo, OH": (30, 1), "Remote - OH": (10, 2), "Columbus, OH": (40, 3), "Remote, TX": (5, 4)}
    for where, (per_month, seed) in places.items():
        plans = year_of_postings(date(2024, 1, 1), 12, per_month, "15-1232.00", {"SQL": 0.5}, seed=seed)
        for plan in plans:
            plan.region = where
        await add_postings(app, tenant.org_id, plans)
    run = await drift_run(api, {"as_of": "2025-01-01"})
    assert run["status"] == "succeeded", run

    def counted(made) -> int:  # noqa: ANN001
        postings = run["summary"]["credentials"][str(made.credential_id)]["postings"]
        return postings["baseline"] + postings["current"]

    assert counted(toledo) == 12 * (30 + 10)  # the metro and remote work allowed in Ohio
    assert counted(columbus) == 12 * (40 + 10)
    assert counted(anywhere) == 12 * (30 + 10 + 40 + 5)
