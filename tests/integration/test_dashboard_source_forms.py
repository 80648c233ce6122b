"""Import sources on the dashboard and the feed preview of the API: add, change, pause / resume, and "Test
this feed" against a real feed server on 127.0.0.1; nothing stored by a preview; a refused form says
why (400)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.db import session_scope
from service.postings.models import ImportRun, ImportSource, Posting
from tests.conftest import Api
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.clients import app_client
from tests.support.feeds import FeedServer, Reply, greenhouse_body


async def _stored(app, org_id: int) -> tuple[int, int, int]:  # noqa: ANN001
    """(sources, runs, postings) of the organisation."""
    async with session_scope(app.state.engine) as session:
        counts = []
        for model in (ImportSource, ImportRun, Posting):
            counts.append(
                await session.scalar(select(func.count()).select_from(model).where(model.org_id == org_id))
            )
        return counts[0], counts[1], counts[2]


def _form(**values: str) -> dict[str, str]:
    base = {
        "name": "Acme board",
        "kind": "greenhouse",
        "url": "",
        "board": "",
        "schedule": "0 4 * * *",
        "region": "",
        "occupation": "",
        "config": "",
        "enabled": "on",
        "action": "save",
    }
    return base | values


async def test_add_preview_change_pause_and_resume_a_source(browser: Browser, tenant, app):  # noqa: F811
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/acme/jobs", Reply(body=greenhouse_body([1, 2, 3])))
        await browser.login(tenant.designer_email)
        listing = await browser.get("/app/sources")
        assert 'href="/app/sources/new"' in listing.text
        blank = await browser.get("/app/sources/new")
        assert blank.status_code == 200 and "Test this feed" in blank.text

        preview = await browser.post("/app/sources", _form(url=url, action="preview", region="Ohio"))
        assert preview.status_code == 200, preview.text[:500]
        assert "3 postings on the first page" in preview.text and "Nothing was stored." in preview.text
        assert "Welder 1" in preview.text and "MIG and TIG welding" in preview.text
        assert 'value="Acme board"' in preview.text  # the form keeps what was typed
        assert await _stored(app, tenant.org_id) == (0, 0, 0)
        assert len(feeds.hits("/v1/boards/acme/jobs")) == 1

        created = await browser.post("/app/sources", _form(url=url))
        assert created.status_code == 303
        source_id = int(re.search(r"saved=(\d+)", created.headers["location"]).group(1))
        shown = await browser.get(created.headers["location"])
        assert "Acme board saved." in shown.text and "0 4 * * *" in shown.text
        assert await _stored(app, tenant.org_id) == (1, 0, 0)

        edit = await browser.get(f"/app/sources/{source_id}/edit")
        assert edit.status_code == 200 and f'value="{url}"' in edit.text and "Save changes" in edit.text
        changed = await browser.post(
            f"/app/sources/{source_id}",
            _form(name="Acme careers", url=url, schedule="30 5 * * 1", occupation="15-1232"),
        )
        assert changed.status_code == 303
        async with session_scope(app.state.engine) as session:
            source = await session.get(ImportSource, source_id)
            assert (source.name, source.schedule, source.occupation, source.enabled) == (
                "Acme careers",
                "30 5 * * 1",
                "15-1232.00",
                True,
            )

        paused = await browser.post(f"/app/sources/{source_id}/enabled", {"enabled": "false"})
        assert paused.status_code == 303
        page = await browser.get(paused.headers["location"])
        assert "Acme careers paused" in page.text and "(paused)" in page.text and "Resume" in page.text
        resumed = await browser.post(f"/app/sources/{source_id}/enabled", {"enabled": "true"})
        page = await browser.get(resumed.headers["location"])
        assert "Acme careers resumed" in page.text and "(paused)" not in page.text
        assert (
            await browser.post(f"/app/sources/{source_id}/enabled", {"enabled": "maybe"})
        ).status_code == 400


async def test_refused_forms_come_back_with_the_reason(browser: Browser, tenant, app, client):  # noqa: F811
    await browser.login(tenant.designer_email)
    cases = [
        (_form(url="ftp://example.org/feed"), 400, "url must start with http:// or https://"),
        (_form(url="https://example.org/jobs", schedule="every day"), 400, "cron"),
        (_form(url="https://example.org/jobs", occupation="nurse"), 400, "occupation"),
        (_form(url="https://example.org/jobs", config="[1, 2]"), 400, "config must be a JSON object"),
        (_form(url="https://example.org/jobs", config="{broken"), 400, "config must be a JSON object"),
        (_form(kind="myspace", url="https://example.org/jobs"), 400, "kind"),
        (_form(name="", url="https://example.org/jobs"), 400, "name"),
        (_form(kind="usajobs"), 400, "api_key"),
    ]
    for data, status, words in cases:
        answer = await browser.post("/app/sources", data)
        assert answer.status_code == status, (data, answer.status_code, answer.text[:300])
        assert words in answer.text, (words, re.findall(r'role="alert">([^<]*)', answer.text))
        assert "Test this feed" in answer.text  # the form, to correct
    assert await _stored(app, tenant.org_id) == (0, 0, 0)
    # the refused form comes back with a working CSRF token: correcting it and sending it again is accepted
    browser.csrf = re.search(r'name="_csrf_token" value="([^"]+)"', answer.text).group(1)
    ok = await browser.post("/app/sources", _form(url="https://example.org/jobs"))
    assert ok.status_code == 303
    taken = await browser.post("/app/sources", _form(url="https://example.org/other"))
    assert taken.status_code == 409 and "already exists" in taken.text
    source_id = int(re.search(r"saved=(\d+)", ok.headers["location"]).group(1))
    bad_edit = await browser.post(
        f"/app/sources/{source_id}", _form(url="https://example.org/jobs", schedule="x")
    )
    assert bad_edit.status_code == 400 and "Save changes" in bad_edit.text
    async with session_scope(app.state.engine) as session:
        assert (await session.get(ImportSource, source_id)).schedule == "0 4 * * *"


async def test_preview_failures_are_said_on_the_form(browser: Browser, tenant):  # noqa: F811
    with FeedServer() as feeds:
        missing = feeds.route("/gone", Reply(status=404))
        junk = feeds.route("/junk", Reply(body="this is not json"))
        await browser.login(tenant.designer_email)
        gone = await browser.post("/app/sources", _form(url=missing, action="preview"))
        assert gone.status_code == 422 and "The feed could not be read: HTTP 404" in gone.text
        broken = await browser.post("/app/sources", _form(url=junk, action="preview"))
        assert broken.status_code == 422 and "The feed could not be read" in broken.text
        assert len(feeds.hits("/gone")) == 1  # once: a person is waiting, no retries


async def test_viewers_and_other_organisations_cannot_use_the_forms(
    browser: Browser,  # noqa: F811
    tenant,
    other_tenant,
    client,
):
    other = Api(client, other_tenant.designer_token)
    theirs = (
        await other.post(
            "/api/v1/import-sources", json={"kind": "rss", "name": "x", "url": "http://127.0.0.1:9/"}
        )
    ).json()["id"]
    await browser.login(tenant.designer_email)
    assert (await browser.get(f"/app/sources/{theirs}/edit")).status_code == 404
    assert (
        await browser.post(f"/app/sources/{theirs}", _form(url="https://example.org/"))
    ).status_code == 404
    assert (await browser.post(f"/app/sources/{theirs}/enabled", {"enabled": "false"})).status_code == 404
    await browser.client.get("/app/logout")
    viewer = Browser(browser.client)
    await viewer.login(viewer_email(tenant))
    assert "Add an import source" not in (await viewer.get("/app/sources")).text
    assert (await viewer.get("/app/sources/new")).status_code == 403
    assert (await viewer.post("/app/sources", _form(url="https://example.org/"))).status_code == 403


async def test_the_api_preview_fetches_once_and_stores_nothing(client, tenant, app, settings):
    api = Api(client, tenant.designer_token)
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/acme/jobs", Reply(body=greenhouse_body([1, 2, 3, 4])))
        answer = await api.post(
            "/api/v1/import-sources/preview",
            json={"kind": "greenhouse", "url": url, "limit": 2, "occupation": "15-1232"},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["found"] == 4 and body["failed"] == 0 and len(body["postings"]) == 2
        assert body["postings"][0]["title"] == "Welder 1"
        assert body["postings"][0]["occupation"] == "15-1232.00" and body["postings"][0]["employer"]
        assert await _stored(app, tenant.org_id) == (0, 0, 0)
        bad = await api.post("/api/v1/import-sources/preview", json={"kind": "greenhouse"})
        assert bad.status_code == 400 and "needs a url or a board token" in bad.json()["detail"]
        unknown = await api.post("/api/v1/import-sources/preview", json={"kind": "rss", "url": url, "x": 1})
        assert unknown.status_code == 400
        gone = await api.post(
            "/api/v1/import-sources/preview",
            json={"kind": "rss", "url": feeds.route("/no", Reply(status=404))},
        )
        assert gone.status_code == 422 and "HTTP 404" in gone.json()["detail"]
    viewer = Api(client, tenant.viewer_token)
    assert (
        await viewer.post("/api/v1/import-sources/preview", json={"kind": "rss", "url": url})
    ).status_code == 403


async def test_the_preview_keeps_to_the_ssrf_guard(settings, tenant):
    from service.app import create_app

    guarded = settings.model_copy(
        update={"postings": settings.postings.model_copy(update={"allow_private_addresses": False})}
    )
    with FeedServer() as feeds:
        url = feeds.route("/internal/jobs", Reply(body=greenhouse_body([1])))
        async with app_client(create_app(guarded)) as client:
            api = Api(client, tenant.designer_token)
            answer = await api.post("/api/v1/import-sources/preview", json={"kind": "greenhouse", "url": url})
        assert answer.status_code == 422
        assert "127.0.0.1 is a loopback address" in answer.json()["detail"]
        assert feeds.hits("/internal/jobs") == []
