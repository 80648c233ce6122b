"""Import sources of every kind, run against real HTTP servers on 127.0.0.1 serving fixtures we write."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from kernel.clock import utcnow
from service.db import session_scope
from service.postings.models import ImportRun
from service.settings import PostingsSettings
from tests.conftest import Api
from tests.support.clients import app_client
from tests.support.feeds import (
    FeedServer,
    Reply,
    ashby_body,
    atom_body,
    csv_body,
    greenhouse_body,
    jsonld_page,
    lever_posting,
    rss_body,
    usajobs_body,
    with_etag,
)
from tests.support.postings import org_postings
from tests.support.runs import run_source

FAST = PostingsSettings(
    connect_timeout=1.0,
    read_timeout=0.5,
    retries=2,
    backoff_seconds=0.01,
    max_retry_after=5,
    max_response_bytes=100_000,
    max_pages=10,
)


@pytest.fixture(scope="module")
async def fast_client(settings):
    """The app with short timeouts and tiny backoff, so failure modes are tested in seconds."""
    from service.app import create_app

    async with app_client(create_app(settings.model_copy(update={"postings": FAST}))) as client:
        yield client


@pytest.fixture
def feeds():
    with FeedServer() as server:
        yield server


@pytest.fixture
def sapi(fast_client, tenant) -> Api:
    return Api(fast_client, tenant.designer_token)


async def make_source(api: Api, kind: str, url: str | None, **extra) -> dict:  # noqa: ANN003
    body = {"kind": kind, "name": f"{kind} {time.monotonic_ns()}", "url": url, **extra}
    response = await api.post("/api/v1/import-sources", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def run(api: Api, source: dict) -> dict:
    return await run_source(api, source["id"])


def counts(result: dict) -> tuple:
    return (
        result["status"],
        result["fetched"],
        result["new"],
        result["updated"],
        result["unchanged"],
        result["failed"],
    )


async def test_greenhouse_imports_clean_postings_and_a_rerun_creates_nothing(sapi, feeds, app, tenant):
    url = feeds.route("/v1/boards/acme/jobs", Reply(body=greenhouse_body([1, 2, 3])))
    source = await make_source(sapi, "greenhouse", url, region="US-OH")
    assert counts(await run(sapi, source)) == ("succeeded", 3, 3, 0, 0, 0)
    assert counts(await run(sapi, source)) == ("succeeded", 3, 0, 0, 3, 0)

    hit = feeds.hits("/v1/boards/acme/jobs")[0]
    assert hit.query == {"content": "true"}
    assert hit.headers["user-agent"].startswith("skillpulse/")
    rows = await org_postings(app, tenant.org_id)
    assert len(rows) == 3
    first = next(r for r in rows if r.external_id == "4000001")
    assert first.source == source["name"] and first.import_source_id == source["id"]
    assert first.region == "Columbus, OH"
    assert str(first.posted_at) == "2026-02-02"
    assert "Requirements" in first.text.split("\n") and "<" not in first.text
    assert "- AWS D1.1 certification preferred." in first.text.split("\n")

    runs = (await sapi.get(f"/api/v1/import-sources/{source['id']}/runs")).json()
    assert runs["total"] == 2 and [r["unchanged"] for r in runs["items"]] == [3, 0]  # newest first


async def test_board_kinds_build_their_url_from_the_board_token(sapi):
    for kind, expected in [
        ("greenhouse", "https://boards-api.greenhouse.io/v1/boards/acme/jobs"),
        ("lever", "https://api.lever.co/v0/postings/acme"),
        ("ashby", "https://api.ashbyhq.com/posting-api/job-board/acme"),
    ]:
        source = await make_source(sapi, kind, None, board="acme", enabled=False)
        assert source["url"] == expected


async def test_lever_follows_pages_and_keeps_the_requirement_lists(sapi, feeds, app, tenant):
    postings = [lever_posting(i) for i in range(5)]

    def page(seen):
        skip, limit = int(seen.query["skip"]), int(seen.query["limit"])
        import json

        return Reply(body=json.dumps(postings[skip : skip + limit]))

    url = feeds.route("/v0/postings/acme", page)
    source = await make_source(sapi, "lever", url, config={"page_size": 2})
    assert counts(await run(sapi, source)) == ("succeeded", 5, 5, 0, 0, 0)
    assert [h.query["skip"] for h in feeds.hits("/v0/postings/acme")] == ["0", "2", "4"]
    assert all(h.query["mode"] == "json" for h in feeds.hits("/v0/postings/acme"))
    row = next(r for r in await org_postings(app, tenant.org_id) if r.external_id == "lever-0000")
    lines = row.text.split("\n")
    assert "Requirements" in lines and "- Experience with SQL and Python is required." in lines
    assert row.region == "Pittsburgh, PA" and str(row.posted_at) == "2026-01-01"


async def test_ashby(sapi, feeds, app, tenant):
    url = feeds.route("/posting-api/job-board/acme", Reply(body=ashby_body([7, 8])))
    source = await make_source(sapi, "ashby", url)
    assert counts(await run(sapi, source)) == ("succeeded", 2, 2, 0, 0, 0)
    row = next(r for r in await org_postings(app, tenant.org_id) if r.external_id == "ashby-7")
    assert row.title == "Medical Assistant 7" and row.region == "Remote"


@pytest.mark.parametrize("flavour", ["rss", "atom"])
async def test_rss_and_atom_follow_next_links(sapi, feeds, app, tenant, flavour):
    build = rss_body if flavour == "rss" else atom_body
    content_type = "application/rss+xml" if flavour == "rss" else "application/atom+xml"
    feeds.route("/feed", Reply(body=build([1, 2], next_url=feeds.url("/feed/2")), content_type=content_type))
    feeds.route("/feed/2", Reply(body=build([3, 4]), content_type=content_type))
    source = await make_source(sapi, "rss", feeds.url("/feed"))
    assert counts(await run(sapi, source)) == ("succeeded", 4, 4, 0, 0, 0)
    rows = await org_postings(app, tenant.org_id)
    assert {r.title for r in rows} == {"Welder 1", "Medical Assistant 2", "Data Analyst 3", "CNC Machinist 4"}
    assert all(r.posted_at is not None and "<" not in r.text for r in rows)


async def test_jsonld_pages_with_graph_and_plain_blocks(sapi, feeds, app, tenant):
    feeds.route("/careers", Reply(body=jsonld_page([1, 2]), content_type="text/html"))
    feeds.route("/careers-graph", Reply(body=jsonld_page([3], graph=True), content_type="text/html"))
    plain = await make_source(sapi, "jsonld", feeds.url("/careers"))
    graph = await make_source(sapi, "jsonld", feeds.url("/careers-graph"))
    assert counts(await run(sapi, plain)) == ("succeeded", 2, 2, 0, 0, 0)
    assert counts(await run(sapi, graph)) == ("succeeded", 1, 1, 0, 0, 0)
    rows = {r.external_id: r for r in await org_postings(app, tenant.org_id)}
    assert rows["jp-1"].occupation_code == "51-4121.00" and rows["jp-1"].occupation_source == "given"
    assert rows["jp-1"].employer == "Acme Manufacturing" and rows["jp-1"].region == "Dayton, OH, US"


async def test_csv_counts_bad_rows_as_failed_and_keeps_the_rest(sapi, feeds, app, tenant):
    body = (
        csv_body([1, 2]) + ",Orphan title without id,desc,Acme,OH,2026-02-01,\ncsv-9,,,Acme,OH,2026-02-01,\n"
    )
    url = feeds.route("/postings.csv", Reply(body=body, content_type="text/csv"))
    source = await make_source(sapi, "csv", url)
    result = await run(sapi, source)
    assert counts(result) == ("succeeded", 4, 2, 0, 0, 2)
    assert "line 4: no id" in result["error"] and "csv-9" in result["error"]


async def test_usajobs_sends_its_headers_and_pages(sapi, feeds, app, tenant):
    def page(seen):
        number = int(seen.query["Page"])
        return Reply(body=usajobs_body([number * 10, number * 10 + 1], pages=2))

    url = feeds.route("/api/search", page)
    source = await make_source(
        sapi, "usajobs", url, config={"api_key": "k-123", "email": "ops@college.example", "keyword": "welder"}
    )
    assert counts(await run(sapi, source)) == ("succeeded", 4, 4, 0, 0, 0)
    hits = feeds.hits("/api/search")
    assert [h.query["Page"] for h in hits] == ["1", "2"]
    assert all(h.headers["authorization-key"] == "k-123" for h in hits)
    assert all(h.headers["user-agent"] == "ops@college.example" for h in hits)
    assert hits[0].query["Keyword"] == "welder"


async def test_etag_turns_a_rerun_into_a_304(sapi, feeds, app, tenant):
    url = feeds.route("/etag/jobs", with_etag(greenhouse_body([1, 2]), '"v1"'))
    source = await make_source(sapi, "greenhouse", url)
    assert counts(await run(sapi, source)) == ("succeeded", 2, 2, 0, 0, 0)
    again = await run(sapi, source)
    assert counts(again) == ("succeeded", 0, 0, 0, 0, 0)
    second = feeds.hits("/etag/jobs")[1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == "Mon, 02 Mar 2026 10:00:00 GMT"
    assert len(await org_postings(app, tenant.org_id)) == 2


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=404, body="nope"), "HTTP 404"),
        (Reply(status=500, body="boom"), "HTTP 500"),
        (Reply(body="<html>this is not json</html>", content_type="text/html"), "not JSON"),
        (Reply(body='{"jobs": "no"}'), "no `jobs` list"),
        (Reply(body=greenhouse_body([1]), delay=1.5), "timed out"),
        (Reply(body=greenhouse_body([1, 2, 3]), truncate=True), "truncated"),
        (Reply(body="x" * 150_000), "larger than the 100000-byte limit"),
        (Reply(status=429, headers={"Retry-After": "3600"}), "asked to retry after 3600 s"),
    ],
    ids=["404", "500", "garbage", "wrong-shape", "timeout", "truncated", "too-big", "429-too-long"],
)
async def test_a_failing_feed_marks_its_run_failed_with_the_reason(sapi, feeds, app, tenant, reply, reason):
    url = feeds.route("/bad/jobs", reply)
    source = await make_source(sapi, "greenhouse", url)
    result = await run(sapi, source)
    assert result["status"] == "failed"
    assert reason in result["error"], result["error"]
    assert result["finished_at"] is not None
    assert await org_postings(app, tenant.org_id) == []
    retried = reply.status in (500,) or reply.delay or reply.truncate
    assert len(feeds.hits("/bad/jobs")) == (FAST.retries + 1 if retried else 1)
    shown = (await sapi.get(f"/api/v1/import-sources/{source['id']}")).json()
    assert shown["consecutive_failures"] == 1 and shown["last_run"]["status"] == "failed"


async def test_retries_honour_retry_after_and_recover(sapi, feeds, app, tenant):
    url = feeds.route(
        "/busy/jobs",
        Reply(status=429, headers={"Retry-After": "1"}),
        Reply(status=503),
        Reply(body=greenhouse_body([5])),
    )
    source = await make_source(sapi, "greenhouse", url)
    started = time.monotonic()
    assert counts(await run(sapi, source)) == ("succeeded", 1, 1, 0, 0, 0)
    assert time.monotonic() - started >= 1.0
    assert len(feeds.hits("/busy/jobs")) == 3


async def test_a_source_that_keeps_failing_is_visible(sapi, feeds):
    url = feeds.route("/gone", Reply(status=404))
    source = await make_source(sapi, "rss", url)
    for _ in range(3):
        await run(sapi, source)
    listed = {s["id"]: s for s in (await sapi.get("/api/v1/import-sources")).json()}
    assert listed[source["id"]]["consecutive_failures"] == 3
    feeds.route("/gone", Reply(body=rss_body([1]), content_type="application/rss+xml"))
    await run(sapi, source)
    assert (await sapi.get(f"/api/v1/import-sources/{source['id']}")).json()["consecutive_failures"] == 0


async def test_a_run_left_running_by_a_killed_process_is_closed_as_interrupted(sapi, feeds, app, tenant):
    url = feeds.route("/ok", Reply(body=rss_body([1]), content_type="application/rss+xml"))
    source = await make_source(sapi, "rss", url)
    async with session_scope(app.state.engine) as session:
        session.add(
            ImportRun(
                org_id=tenant.org_id,
                source_id=source["id"],
                status="running",
                started_at=utcnow() - timedelta(hours=3),
            )
        )
    await run(sapi, source)
    runs = (await sapi.get(f"/api/v1/import-sources/{source['id']}/runs")).json()["items"]
    assert [r["status"] for r in runs] == ["succeeded", "failed"]
    assert "interrupted" in runs[1]["error"]


async def test_source_validation_and_scoping(sapi, other_api, feeds):
    cases = [
        ({"kind": "rss", "name": "no url"}, "needs a url"),
        ({"kind": "lever", "name": "no board"}, "url or a board"),
        ({"kind": "rss", "name": "bad cron", "url": "http://127.0.0.1/x", "schedule": "every day"}, "cron"),
        ({"kind": "rss", "name": "ftp", "url": "ftp://127.0.0.1/x"}, "http"),
        ({"kind": "usajobs", "name": "no key"}, "api_key"),
        ({"kind": "myspace", "name": "x", "url": "http://127.0.0.1/x"}, "kind"),
        ({"kind": "rss", "name": "occ", "url": "http://127.0.0.1/x", "occupation": "welding"}, "O*NET-SOC"),
    ]
    for body, needle in cases:
        response = await sapi.post("/api/v1/import-sources", json=body)
        assert response.status_code == 400, (body, response.text)
        assert needle in response.json()["detail"], response.json()["detail"]
    source = await make_source(sapi, "rss", feeds.url("/x"), name="twice")
    duplicate = await sapi.post(
        "/api/v1/import-sources", json={"kind": "rss", "name": "twice", "url": feeds.url("/y")}
    )
    assert duplicate.status_code == 409
    assert (await other_api.post(f"/api/v1/import-sources/{source['id']}/run")).status_code == 404
    assert (await other_api.get(f"/api/v1/import-sources/{source['id']}/runs")).status_code == 404
    assert (await other_api.get("/api/v1/import-sources")).json() == []

    patched = await sapi.patch(
        f"/api/v1/import-sources/{source['id']}", json={"enabled": False, "schedule": "0 * * * *"}
    )
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert (
        await sapi.patch(f"/api/v1/import-sources/{source['id']}", json={"schedule": "nope"})
    ).status_code == 400
    assert (await sapi.delete(f"/api/v1/import-sources/{source['id']}")).status_code == 204
    assert (await sapi.get(f"/api/v1/import-sources/{source['id']}")).status_code == 404


async def test_with_private_addresses_refused_a_source_on_loopback_fails_before_any_request(
    settings, feeds, tenant
):
    """The SSRF guard (what production does unless told otherwise, see tests/unit/postings/test_address_guard.py):
    the run fails saying why and the feed never sees a request."""
    from service.app import create_app

    guarded = settings.model_copy(
        update={"postings": FAST.model_copy(update={"allow_private_addresses": False})}
    )
    url = feeds.route("/internal/jobs", Reply(body=greenhouse_body([1])))
    async with app_client(create_app(guarded)) as client:
        api = Api(client, tenant.designer_token)
        source = await make_source(api, "greenhouse", url)
        result = await run(api, source)
    assert result["status"] == "failed"
    assert "127.0.0.1 is a loopback address" in result["error"], result["error"]
    assert "SKILLPULSE_POSTINGS_ALLOW_PRIVATE_ADDRESSES" in result["error"]
    assert feeds.hits("/internal/jobs") == []


async def test_renaming_a_source_keeps_its_postings_so_the_next_run_stores_nothing_twice(
    sapi, feeds, app, tenant
):
    url = feeds.route("/renamed/jobs", Reply(body=greenhouse_body([1, 2, 3])))
    source = await make_source(sapi, "greenhouse", url, name="Acme board")
    assert counts(await run(sapi, source)) == ("succeeded", 3, 3, 0, 0, 0)

    renamed = await sapi.patch(f"/api/v1/import-sources/{source['id']}", json={"name": "Acme careers"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme careers"
    rows = await org_postings(app, tenant.org_id)
    assert sorted({r.source for r in rows}) == ["Acme careers"] and len(rows) == 3

    assert counts(await run(sapi, source)) == ("succeeded", 3, 0, 0, 3, 0)
    assert len(await org_postings(app, tenant.org_id)) == 3


async def test_a_rename_onto_postings_of_the_same_ids_is_refused_and_changes_nothing(
    sapi, feeds, app, tenant
):
    url = feeds.route("/clash/jobs", Reply(body=greenhouse_body([1, 2])))
    source = await make_source(sapi, "greenhouse", url, name="Board A")
    await run(sapi, source)
    rows = await org_postings(app, tenant.org_id)
    manual = {"source": "Board B", "external_id": rows[0].external_id, "title": "Welder", "text": "Welding."}
    assert (await sapi.post("/api/v1/postings", json=manual)).status_code in (200, 201)

    refused = await sapi.patch(f"/api/v1/import-sources/{source['id']}", json={"name": "Board B"})
    assert refused.status_code == 409
    assert "same external ids" in refused.json()["detail"]
    assert (await sapi.get(f"/api/v1/import-sources/{source['id']}")).json()["name"] == "Board A"
    assert sorted(r.source for r in await org_postings(app, tenant.org_id)) == [
        "Board A",
        "Board A",
        "Board B",
    ]
