"""The dashboard through a signed-in cookie session (the foundation's matrix uses bearer tokens): another
organisation's admin gets 404 for every page and form of this organisation's records, and a viewer's session
cannot post any form but signing out and its own tokens."""

from __future__ import annotations

from sqlalchemy import select

from service.auth.models import User
from service.db import session_scope
from tests.security.support import PARAM, Browser, fill, html_routes, path_values, token_link
from tests.support.factories import Tenant
from tests.support.seeds_surveys import create_open_survey, invite, path_of

# Forms any role may post: signing in and out, and a user's own API tokens (another user's token is a 404).
VIEWER_FORMS = {
    "/app/logout",
    "/app/settings/tokens",
    "/app/login",
    "/app/settings/tokens/{token_id:int}/revoke",
    "/app/settings/notifications",
}


async def _values(api, app, tenant) -> dict:  # noqa: ANN001
    survey = await create_open_survey(api, app, tenant)
    token = path_of((await invite(api, survey["id"], 1))[0]["url"]).rsplit("/", 1)[1]
    return await path_values(app, tenant, token)


async def test_another_organisation_session_gets_404_on_every_record_page_and_form(
    app, api, tenant, other_tenant, browser: Browser
):
    values = await _values(api, app, tenant)
    await browser.sign_in(other_tenant)
    failures = []
    checked = 0
    for method in ("GET", "POST"):
        for path in html_routes(app, method):
            if not PARAM.search(path) or token_link(path):
                continue
            await browser.get("/app/")  # a fresh CSRF token
            url = fill(path, values)
            response = await (
                browser.get(url) if method == "GET" else browser.post(url, {"status": "dismissed"})
            )
            checked += 1
            if response.status_code != 404:
                failures.append(f"{method} {path} by another organisation: {response.status_code}")
    assert checked >= 15
    assert not failures, "\n".join(failures)


async def test_a_viewer_session_cannot_post_dashboard_forms(app, api, tenant: Tenant, browser: Browser):
    values = await _values(api, app, tenant)
    async with session_scope(app.state.engine) as session:
        viewer = (
            await session.execute(select(User).where(User.org_id == tenant.org_id, User.role == "viewer"))
        ).scalar_one()
        email = viewer.email
    await browser.sign_in(tenant, email=email)
    failures = []
    for path in html_routes(app, "POST"):
        if token_link(path) or path in VIEWER_FORMS:
            continue
        await browser.get("/app/")
        response = await browser.post(fill(path, values), {"status": "dismissed"})
        if response.status_code != 403:
            failures.append(f"POST {path} by a viewer: {response.status_code}")
    assert not failures, "\n".join(failures)
