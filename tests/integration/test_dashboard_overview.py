"""The overview and a credential's page show what the API says: open alerts, postings, import sources and
their last runs, the last drift check, survey responses, and nothing of another organisation's."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from service.db import session_scope
from service.demand.models import DriftRun
from service.postings.models import ImportRun, ImportSource
from tests.integration.test_dashboard_auth import Browser, browser  # noqa: F401 - fixture
from tests.support.seeds_dashboard import make_alert, make_credential
from tests.support.seeds_surveys import (
    answer_all,
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)

OPEN_STATUSES = ("open", "acknowledged", "snoozed")


def stat(html: str, words: str) -> int:
    """The number of a card: `<span class="stat">12</span> open alerts`."""
    found = re.search(r'<span class="stat">([\d,]+)</span> ' + re.escape(words), html)
    assert found, f"no card {words!r}"
    return int(found.group(1).replace(",", ""))


def row_cells(html: str, first_cell: str) -> list[str]:
    """The text of each cell of the table row whose first cell holds `first_cell`."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row for {first_cell!r}")


async def _postings(api, source: str, days_ago: list[int]) -> None:  # noqa: ANN001
    today = date.today()
    batch = [
        {
            "source": source,
            "external_id": f"{source}-{i}",
            "title": "Cloud support engineer",
            "text": "Support Linux servers and write SQL reports.",
            "occupation": "15-1232.00",
            "posted_at": (today - timedelta(days=days)).isoformat(),
        }
        for i, days in enumerate(days_ago)
    ]
    stored = await api.post("/api/v1/postings", json={"postings": batch})
    assert stored.status_code == 201, stored.text


async def _drift_runs(app, org_id: int) -> datetime:  # noqa: ANN001
    """Three runs: the succeeded one with the latest as-of date is the last check (not the newest row)."""
    last = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    async with session_scope(app.state.engine) as session:
        session.add(DriftRun(org_id=org_id, as_of=date(2026, 3, 1), status="succeeded", finished_at=last))
        session.add(
            DriftRun(
                org_id=org_id,
                as_of=date(2026, 2, 1),
                status="succeeded",
                finished_at=datetime(2026, 3, 5, 8, 0, tzinfo=UTC),
            )
        )
        session.add(DriftRun(org_id=org_id, as_of=date(2026, 4, 1), status="failed", error="stopped"))
    return last


async def _source_with_runs(app, org_id: int, name: str) -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        source = ImportSource(org_id=org_id, kind="rss", name=name, url="https://jobs.example.org/feed")
        session.add(source)
        await session.flush()
        started = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
        for i, new in enumerate((7, 4)):
            session.add(
                ImportRun(
                    org_id=org_id,
                    source_id=source.id,
                    status="succeeded",
                    started_at=started + timedelta(days=i),
                    finished_at=started + timedelta(days=i, minutes=2),
                    new=new,
                )
            )
        assert source.id is not None
        return source.id


async def test_the_overview_shows_what_the_api_says(
    browser: Browser,  # noqa: F811 - the fixture
    api,
    other_api,
    app,
    tenant,
    other_tenant,
    client,
):
    credential_id, _, _ = await make_credential(app, tenant)
    high = await make_alert(app, tenant, credential_id, subject="k8s")
    await make_alert(app, tenant, credential_id, subject="tf", severity="low", title="Terraform rising")
    gone = await make_alert(app, tenant, credential_id, subject="go", severity="medium", title="Go rising")
    assert (await api.patch(f"/api/v1/alerts/{high}", json={"status": "acknowledged"})).status_code == 200
    assert (await api.patch(f"/api/v1/alerts/{gone}", json={"status": "dismissed"})).status_code == 200
    other_credential, _, _ = await make_credential(app, other_tenant, name="Other college's credential")
    await make_alert(app, other_tenant, other_credential)

    await _postings(api, "board-a", [10, 20, 200])
    await _postings(api, "board-b", [5])
    await _postings(other_api, "board-a", [1, 2])
    last_check = await _drift_runs(app, tenant.org_id)
    await _source_with_runs(app, tenant.org_id, "Acme feed")
    await _source_with_runs(app, other_tenant.org_id, "Not ours")
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 1)
    assert (await answer_all(client, path_of(issued[0]["url"]), survey)).status_code == 200

    await browser.login(tenant.designer_email)
    overview = await browser.get("/app/")
    assert overview.status_code == 200
    html = overview.text

    open_alerts = 0
    for status in OPEN_STATUSES:
        listed = await api.get("/api/v1/alerts", params={"status": status})
        open_alerts += listed.json()["total"]
    assert stat(html, "open alerts") == open_alerts == 2
    assert row_cells(html, "Emerging skill") == ["Emerging skill", "1", "0", "1"]  # high, medium, low

    postings = await api.get("/api/v1/postings", params={"limit": 100})
    items = postings.json()["items"]
    window_start = date.today() - timedelta(days=90)
    recent = [p for p in items if date.fromisoformat(p["posted_at"][:10]) >= window_start]
    assert stat(html, "postings since") == len(recent) == 3
    assert f"{len(items)} in all" in html and len(items) == 4
    newest = (date.today() - timedelta(days=5)).strftime("%d %b %Y")
    assert f"newest posted {newest}" in html
    assert row_cells(html, "board-a")[:2] == ["board-a", "3"]
    assert row_cells(html, "board-b")[:2] == ["board-b", "1"]

    sources = (await api.get("/api/v1/import-sources")).json()
    assert [s["name"] for s in sources] == ["Acme feed"]
    assert "Not ours" not in html
    last_run = sources[0]["last_run"]
    finished = datetime.fromisoformat(last_run["finished_at"]).strftime("%d %b %Y %H:%M UTC")
    assert row_cells(html, "Acme feed") == ["Acme feed", "rss", finished, "succeeded", str(last_run["new"])]
    assert last_run["new"] == 4

    runs = (await api.get("/api/v1/drift/runs")).json()
    succeeded = [r for r in runs if r["status"] == "succeeded"]
    latest = max(succeeded, key=lambda r: (r["as_of"], r["id"]))
    assert datetime.fromisoformat(latest["finished_at"]) == last_check
    assert f"Last drift check {last_check:%d %b %Y %H:%M} UTC" in html

    assert stat(html, "survey responses") == 1
    assert stat(html, "credentials") == 2  # the survey's credential too


async def test_a_credential_page_lists_the_open_alerts_the_api_lists(
    browser: Browser,  # noqa: F811 - the fixture
    api,
    app,
    tenant,
):
    credential_id, _, _ = await make_credential(app, tenant)
    other_id, _, _ = await make_credential(app, tenant, name="Another credential")
    snoozed = await make_alert(app, tenant, credential_id, subject="k8s", title="Kubernetes rising")
    await make_alert(app, tenant, credential_id, subject="tf", title="Terraform rising")
    dismissed = await make_alert(app, tenant, credential_id, subject="go", title="Go rising")
    await make_alert(app, tenant, other_id, subject="rs", title="Rust rising")
    until = (date.today() + timedelta(days=7)).isoformat()
    changed = await api.patch(f"/api/v1/alerts/{snoozed}", json={"status": "snoozed", "snooze_until": until})
    assert changed.status_code == 200, changed.text
    assert (await api.patch(f"/api/v1/alerts/{dismissed}", json={"status": "dismissed"})).status_code == 200

    listed = []
    for status in OPEN_STATUSES:
        page = await api.get("/api/v1/alerts", params={"status": status, "credential_id": credential_id})
        listed += [a["title"] for a in page.json()["items"]]
    assert sorted(listed) == ["Kubernetes rising", "Terraform rising"]

    await browser.login(tenant.designer_email)
    credential_page = await browser.get(f"/app/credentials/{credential_id}")
    assert credential_page.status_code == 200
    for title in listed:
        assert title in credential_page.text
    assert "Go rising" not in credential_page.text and "Rust rising" not in credential_page.text
