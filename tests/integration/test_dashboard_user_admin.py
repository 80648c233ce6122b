"""Admins change a user's role and deactivate / reactivate users on the dashboard: a deactivated user's
session and API tokens stop working at once; the last active admin stays; non-admins get 403."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from service.auth.models import User
from service.db import session_scope
from tests.conftest import Api
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.form_browser import FormBrowser


async def _user(app, email: str) -> User:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return (await session.execute(select(User).where(User.email == email))).scalar_one()


async def _second_browser(app):  # noqa: ANN001, ANN202
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_role_change_and_deactivation_take_effect_at_once(browser: Browser, tenant, app, client):  # noqa: F811
    designer = await _user(app, tenant.designer_email)
    async with await _second_browser(app) as own:
        theirs = FormBrowser(own)
        assert (await theirs.login(tenant.designer_email)).status_code == 303
        assert (await theirs.get("/app/sources/new")).status_code == 200  # a designer's page

        await browser.login(tenant.admin_email)
        page = await browser.get("/app/settings/users")
        assert f'id="user-{designer.id}"' in page.text and "Deactivate" in page.text
        demoted = await browser.post(f"/app/settings/users/{designer.id}/role", {"role": "viewer"})
        assert demoted.status_code == 303
        shown = await browser.get(demoted.headers["location"])
        assert "Role changed" in shown.text
        assert (await theirs.get("/app/sources/new")).status_code == 403  # the next request is a viewer's
        token_api = Api(client, tenant.designer_token)
        assert (await token_api.get("/api/v1/me")).json()["role"] == "viewer"

        off = await browser.post(f"/app/settings/users/{designer.id}/active", {"active": "false"})
        assert off.status_code == 303
        assert "User deactivated" in (await browser.get(off.headers["location"])).text
        gone = await theirs.get("/app/")
        assert gone.status_code in (302, 303, 307) and "/app/login" in gone.headers["location"]
        assert (await token_api.get("/api/v1/me")).status_code == 401
        assert (await theirs.login(tenant.designer_email)).status_code == 400  # cannot sign in either

        on = await browser.post(f"/app/settings/users/{designer.id}/active", {"active": "true"})
        assert on.status_code == 303
        assert (await theirs.login(tenant.designer_email)).status_code == 303
        assert (await token_api.get("/api/v1/me")).status_code == 401  # old tokens stay revoked
        refreshed = await _user(app, tenant.designer_email)
        assert refreshed.is_active and refreshed.role == "viewer"


async def test_the_last_active_admin_stays(browser: Browser, tenant, app):  # noqa: F811
    admin = await _user(app, tenant.admin_email)
    designer = await _user(app, tenant.designer_email)
    await browser.login(tenant.admin_email)
    await browser.get("/app/settings/users")
    for url, data in (
        (f"/app/settings/users/{admin.id}/role", {"role": "designer"}),
        (f"/app/settings/users/{admin.id}/active", {"active": "false"}),
    ):
        refused = await browser.post(url, data)
        assert refused.status_code == 409
        assert "is the last active admin of the organisation; make another user admin first" in refused.text
    still = await _user(app, tenant.admin_email)
    assert still.role == "admin" and still.is_active
    assert (await browser.get("/app/settings/users")).status_code == 200  # still signed in, still an admin

    promoted = await browser.post(f"/app/settings/users/{designer.id}/role", {"role": "admin"})
    assert promoted.status_code == 303
    stepped_down = await browser.post(f"/app/settings/users/{admin.id}/role", {"role": "designer"})
    assert stepped_down.status_code == 303
    assert (await browser.get("/app/settings/users")).status_code == 403  # now a designer
    assert (await _user(app, tenant.admin_email)).role == "designer"


async def test_bad_input_other_organisations_and_non_admins(
    browser: Browser,  # noqa: F811
    tenant,
    other_tenant,
    app,
):
    designer = await _user(app, tenant.designer_email)
    stranger = await _user(app, other_tenant.designer_email)
    await browser.login(tenant.admin_email)
    await browser.get("/app/settings/users")
    bad_role = await browser.post(f"/app/settings/users/{designer.id}/role", {"role": "owner"})
    assert bad_role.status_code == 400 and "Role must be one of admin, designer, viewer." in bad_role.text
    bad_flag = await browser.post(f"/app/settings/users/{designer.id}/active", {"active": "perhaps"})
    assert bad_flag.status_code == 400 and "Active must be true or false." in bad_flag.text
    assert (
        await browser.post(f"/app/settings/users/{stranger.id}/role", {"role": "viewer"})
    ).status_code == 404
    assert (
        await browser.post(f"/app/settings/users/{stranger.id}/active", {"active": "false"})
    ).status_code == 404
    assert (await _user(app, other_tenant.designer_email)).is_active

    for email in (tenant.designer_email, viewer_email(tenant)):
        async with await _second_browser(app) as own:
            other = FormBrowser(own)
            await other.login(email)
            await other.get("/app/")
            assert (await other.get("/app/settings/users")).status_code == 403
            for url, data in (
                (f"/app/settings/users/{designer.id}/role", {"role": "admin"}),
                (f"/app/settings/users/{designer.id}/active", {"active": "false"}),
            ):
                assert (await other.post(url, data)).status_code == 403
    assert (await _user(app, tenant.designer_email)).role == "designer"


async def test_the_api_does_the_same(client, tenant, other_tenant, app):
    admin = Api(client, tenant.admin_token)
    designer = await _user(app, tenant.designer_email)
    me = await _user(app, tenant.admin_email)
    changed = await admin.patch(f"/api/v1/users/{designer.id}", json={"role": "viewer", "is_active": False})
    assert (
        changed.status_code == 200 and changed.json()["role"] == "viewer" and not changed.json()["is_active"]
    )
    assert (await Api(client, tenant.designer_token).get("/api/v1/me")).status_code == 401
    last = await admin.patch(f"/api/v1/users/{me.id}", json={"is_active": False})
    assert last.status_code == 409 and "last active admin" in last.json()["detail"]
    both = await admin.patch(f"/api/v1/users/{me.id}", json={"role": "admin", "is_active": False})
    assert both.status_code == 409
    assert (await admin.patch(f"/api/v1/users/{me.id}", json={"role": "owner"})).status_code == 400
    assert (await admin.patch(f"/api/v1/users/{me.id}", json={"email": "x@y.z"})).status_code == 400
    stranger = await _user(app, other_tenant.designer_email)
    assert (await admin.patch(f"/api/v1/users/{stranger.id}", json={"role": "viewer"})).status_code == 404
    viewer = Api(client, tenant.viewer_token)
    assert (await viewer.patch(f"/api/v1/users/{designer.id}", json={"is_active": True})).status_code == 403
    assert not (await _user(app, tenant.designer_email)).is_active
