"""GET /api/v1/demand: monthly series counted once per content, SOC parents matching O*NET children."""

from __future__ import annotations

from datetime import date

from tests.support.demand_data import PlannedPosting, add_postings, concept_uri


async def test_monthly_series_counts_once_per_content_and_keeps_requirement_apart(app, api, tenant):
    plans = [
        PlannedPosting(date(2025, 3, 3), "15-1232.00", [("SQL", "required"), ("Linux", "preferred")]),
        PlannedPosting(date(2025, 3, 9), "15-1232.01", [("SQL", "preferred")]),
        # The same advert posted on two boards: one content hash, counted once.
        PlannedPosting(date(2025, 3, 10), "15-1232.00", [("SQL", "required")], content_hash="dup" * 16),
        PlannedPosting(date(2025, 3, 12), "15-1232.00", [("SQL", "required")], content_hash="dup" * 16),
        PlannedPosting(date(2025, 4, 2), "15-1232.00", [("Linux", "required"), ("Linux", "preferred")]),
        PlannedPosting(date(2025, 4, 3), "15-1232.00", []),
        # Not counted: another occupation, not extracted yet, outside the window.
        PlannedPosting(date(2025, 4, 4), "15-1251.00", [("SQL", "required")]),
        PlannedPosting(date(2025, 4, 5), "15-1232.00", [("SQL", "required")], extraction_status="pending"),
        PlannedPosting(date(2025, 6, 5), "15-1232.00", [("SQL", "required")]),
    ]
    await add_postings(app, tenant.org_id, plans)
    response = await api.get(
        "/api/v1/demand",
        params={"occupation": "15-1232", "from": "2025-02-01", "to": "2025-05-31", "interval": "month"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["occupations"] == ["15-1232"]
    assert body["window"] == {"from": "2025-02-01", "to": "2025-05-31"}
    assert [(p["period"], p["postings"]) for p in body["series"]] == [
        ("2025-02", 0),
        ("2025-03", 3),
        ("2025-04", 2),
        ("2025-05", 0),
    ]
    march = {c["label"]: c for c in body["series"][1]["concepts"]}
    assert march["SQL"]["postings"] == 3 and march["SQL"]["required"] == 2 and march["SQL"]["preferred"] == 1
    assert march["SQL"]["share"] == 1.0
    assert march["SQL"]["concept_id"] == concept_uri("SQL")
    assert march["Linux"]["postings"] == 1 and march["Linux"]["share"] == round(1 / 3, 4)
    april = {c["label"]: c for c in body["series"][2]["concepts"]}
    assert april == {
        "Linux": {
            "concept_id": concept_uri("Linux"),
            "label": "Linux",
            "postings": 1,
            "share": 0.5,
            "required": 1,
            "preferred": 1,
        }
    }

    exact = await api.get(
        "/api/v1/demand", params={"occupation": "15-1232.01", "from": "2025-03-01", "to": "2025-03-31"}
    )
    assert [p["postings"] for p in exact.json()["series"]] == [1]
    both = await api.get(
        "/api/v1/demand",
        params=[
            ("occupation", "15-1232.01"),
            ("occupation", "15-1251.00"),
            ("from", "2025-03-01"),
            ("to", "2025-04-30"),
            ("concept", concept_uri("SQL")),
        ],
    )
    assert [(p["postings"], [c["label"] for c in p["concepts"]]) for p in both.json()["series"]] == [
        (1, ["SQL"]),
        (1, ["SQL"]),
    ]


async def test_region_filter_and_organisation_scope(app, api, other_api, tenant):
    await add_postings(
        app,
        tenant.org_id,
        [
            PlannedPosting(date(2025, 3, 3), "15-1232.00", [("SQL", "required")], region="Ohio"),
            PlannedPosting(date(2025, 3, 4), "15-1232.00", [("SQL", "required")], region="Texas"),
        ],
    )
    params = {"occupation": "15-1232.00", "from": "2025-03-01", "to": "2025-03-31"}
    ohio = await api.get("/api/v1/demand", params={**params, "region": "OH"})
    assert [p["postings"] for p in ohio.json()["series"]] == [1]
    in_words = await api.get("/api/v1/demand", params={**params, "region": "ohio"})
    assert in_words.status_code == 400 and "'ohio'" in in_words.json()["detail"]
    everywhere = await api.get("/api/v1/demand", params=params)
    assert [p["postings"] for p in everywhere.json()["series"]] == [2]
    stranger = await other_api.get("/api/v1/demand", params=params)
    assert stranger.status_code == 200 and [p["postings"] for p in stranger.json()["series"]] == [0]


async def test_bad_demand_queries_are_4xx_with_a_reason(api):
    cases = [
        ({"occupation": "software developers"}, "occupation"),
        ({"occupation": "15-1232", "interval": "week"}, "interval"),
        ({"occupation": "15-1232", "from": "2025-05-01", "to": "2025-01-01"}, "after"),
        ({"occupation": "15-1232", "from": "not-a-date"}, "from"),
        ({"occupation": "15-1232", "from": "2000-01-01", "to": "2025-01-01"}, "ten years"),
        ({"occupation": " , "}, "occupation"),
        ({}, "occupation"),
    ]
    for params, word in cases:
        response = await api.get("/api/v1/demand", params=params)
        assert response.status_code == 400, (params, response.text)
        body = response.json()
        assert body["status_code"] == 400 and word in body["detail"], (params, body)


async def test_default_window_is_twelve_months(api):
    response = await api.get("/api/v1/demand", params={"occupation": "15-1232"})
    assert response.status_code == 200
    assert len(response.json()["series"]) == 12
