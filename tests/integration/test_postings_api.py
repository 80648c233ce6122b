"""Posting intake and reading through the HTTP API."""

from __future__ import annotations

from tests.support.postings import org_postings, posting_body


async def test_one_posting_is_stored_with_clean_text(api, app, tenant):
    body = posting_body(occupation="15-1232")
    response = await api.post("/api/v1/postings", json=body)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["created"] == 1 and result["updated"] == 0 and result["unchanged"] == 0
    posting_id = result["postings"][0]["id"]

    detail = (await api.get(f"/api/v1/postings/{posting_id}")).json()
    assert detail["title"] == "IT Support Specialist"
    assert detail["occupation"] == "15-1232.00" and detail["occupation_source"] == "given"
    assert detail["posted_at"] == "2026-03-02"
    assert detail["extraction_status"] == "pending"
    lines = detail["text"].split("\n")
    assert "Requirements" in lines
    assert "- Experience with SQL and Python is required" in lines
    assert "<" not in detail["text"]
    assert detail["mentions"] == []


async def test_batch_is_idempotent_on_source_and_external_id(api, app, tenant):
    first, second = posting_body(), posting_body(title="Help Desk Technician")
    response = await api.post("/api/v1/postings", json={"postings": [first, second]})
    assert response.status_code == 201 and response.json()["created"] == 2

    again = await api.post("/api/v1/postings", json={"postings": [first, second]})
    assert again.status_code == 200
    assert again.json() | {"postings": None} == {"created": 0, "updated": 0, "unchanged": 2, "postings": None}

    changed = dict(second, html=second["html"] + "<p>Night shifts.</p>")
    moved = dict(first, region="US-PA")
    result = (await api.post("/api/v1/postings", json={"postings": [changed, moved]})).json()
    assert [p["status"] for p in result["postings"]] == ["updated", "updated"]

    rows = {p.external_id: p for p in await org_postings(app, tenant.org_id)}
    assert len(rows) == 2
    assert rows[first["external_id"]].region == "US-PA"
    assert "Night shifts." in rows[second["external_id"]].text


async def test_a_changed_text_requeues_extraction_but_a_new_region_does_not(api, app, tenant):
    body = posting_body()
    posting_id = (await api.post("/api/v1/postings", json=body)).json()["postings"][0]["id"]
    from service.db import session_scope
    from service.postings.models import Posting

    async with session_scope(app.state.engine) as session:
        row = await session.get(Posting, posting_id)
        row.extraction_status = "done"
    await api.post("/api/v1/postings", json=dict(body, region="US-MI"))
    assert (await api.get(f"/api/v1/postings/{posting_id}")).json()["extraction_status"] == "done"
    await api.post("/api/v1/postings", json=dict(body, region="US-MI", html="<p>Entirely new text.</p>"))
    assert (await api.get(f"/api/v1/postings/{posting_id}")).json()["extraction_status"] == "pending"


async def test_a_repost_is_recognised_by_its_content(api):
    original = posting_body(source="board-a")
    first = (await api.post("/api/v1/postings", json=original)).json()["postings"][0]
    assert first["duplicate_of"] is None
    # Same words, other source and id, different markup and spacing: one content.
    repost = posting_body(
        source="board-b", html=original["html"].replace("<p>", "<p>  ").replace("<ul>", "<ol>")
    )
    second = (await api.post("/api/v1/postings", json=repost)).json()["postings"][0]
    assert second["id"] != first["id"]
    assert second["duplicate_of"] == first["id"]
    detail = (await api.get(f"/api/v1/postings/{second['id']}")).json()
    assert detail["duplicate_of"] == first["id"]
    originals = (await api.get(f"/api/v1/postings/{first['id']}")).json()
    assert originals["content_hash"] == detail["content_hash"]


async def test_listing_is_newest_first_paginated_and_filtered(api):
    bodies = [
        posting_body(source="list-a", posted_at="2026-01-05", occupation="15-1232.00"),
        posting_body(
            source="list-a",
            posted_at="2026-02-05",
            occupation="51-4121.00",
            title="Welder",
            html="<p>MIG welding of steel frames.</p>",
        ),
        posting_body(
            source="list-b",
            posted_at="2026-03-05",
            occupation="15-1232.00",
            title="Desktop Support",
            html="<p>Image laptops.</p>",
        ),
    ]
    assert (await api.post("/api/v1/postings", json={"postings": bodies})).status_code == 201

    page = (await api.get("/api/v1/postings", params={"limit": 2})).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 0
    assert [p["posted_at"] for p in page["items"]] == ["2026-03-05", "2026-02-05"]
    rest = (await api.get("/api/v1/postings", params={"limit": 2, "offset": 2})).json()
    assert [p["posted_at"] for p in rest["items"]] == ["2026-01-05"]

    by_source = (await api.get("/api/v1/postings", params={"source": "list-a"})).json()
    assert by_source["total"] == 2
    by_occupation = (await api.get("/api/v1/postings", params={"occupation": "15-1232"})).json()
    assert {p["title"] for p in by_occupation["items"]} == {"IT Support Specialist", "Desktop Support"}
    window = (await api.get("/api/v1/postings", params={"from": "2026-02-01", "to": "2026-02-28"})).json()
    assert [p["title"] for p in window["items"]] == ["Welder"]


async def test_other_organisations_never_see_postings(api, other_api):
    posting_id = (await api.post("/api/v1/postings", json=posting_body())).json()["postings"][0]["id"]
    assert (await other_api.get(f"/api/v1/postings/{posting_id}")).status_code == 404
    assert (await other_api.get("/api/v1/postings")).json()["total"] == 0


async def test_bad_input_is_a_400_that_says_what_is_wrong(api, app, tenant):
    cases = [
        ({"postings": [posting_body(), posting_body(occupation="welder")]}, "postings[1]"),
        (posting_body(html=None), "text"),
        (posting_body(posted_at="next tuesday"), "posted_at"),
        (posting_body(unknown_field=1), "unknown_field"),
        ({"postings": []}, "postings"),
        (posting_body(external_id=""), "external_id"),
    ]
    for body, needle in cases:
        response = await api.post("/api/v1/postings", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["status_code"] == 400
        assert needle in response.json()["detail"], response.json()["detail"]
    # Nothing of a refused batch was stored.
    assert await org_postings(app, tenant.org_id) == []
    bad_query = await api.get("/api/v1/postings", params={"from": "2026-05-01", "to": "2026-01-01"})
    assert bad_query.status_code == 400 and "from" in bad_query.json()["detail"]
    assert (await api.get("/api/v1/postings", params={"limit": 0})).status_code == 400
    assert (await api.get("/api/v1/postings", params={"from": "yesterday"})).status_code == 400


async def test_viewer_reads_but_cannot_post(viewer_api, api):
    assert (await viewer_api.post("/api/v1/postings", json=posting_body())).status_code == 403
    assert (await viewer_api.get("/api/v1/postings")).status_code == 200


async def test_concurrent_batches_with_the_same_postings_store_each_once(api, app, tenant):
    import asyncio

    bodies = [posting_body(title=f"Help Desk {i}") for i in range(40)]
    responses = await asyncio.gather(
        *[api.post("/api/v1/postings", json={"postings": bodies}) for _ in range(4)]
    )
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert sum(r.json()["created"] for r in responses) == 40
    assert len(await org_postings(app, tenant.org_id)) == 40
