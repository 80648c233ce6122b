"""The dashboard's sign-in, CSRF, roles, settings pages and security headers, through HTTP like a browser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.factories import Tenant
from tests.support.form_browser import FormBrowser as Browser


@pytest.fixture
async def browser(app, client) -> AsyncIterator[Browser]:  # noqa: ANN001 - `client` runs the app's lifespan
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as own:
        yield Browser(own)


async def test_unauthenticated_page_redirects_to_login_and_back(browser: Browser, tenant: Tenant):
    response = await browser.get("/app/settings/tokens")
    assert response.status_code == 302
    assert response.headers["location"] == "/app/login?next=/app/settings/tokens"
    signed_in = await browser.login(tenant.designer_email, next_url="/app/settings/tokens")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/app/settings/tokens"
    page = await browser.get("/app/settings/tokens")
    assert page.status_code == 200
    assert tenant.designer_email in page.text


async def test_wrong_password_is_refused_without_saying_which_half(browser: Browser, tenant: Tenant):
    response = await browser.login(tenant.designer_email, password="not-the-password")
    assert response.status_code == 400
    assert "do not match" in response.text
    assert (await browser.get("/app/")).status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/app/", "//evil.example/app", "/api/v1/me", "/app/login"]
)
async def test_next_never_leaves_the_dashboard(browser: Browser, tenant: Tenant, target: str):
    response = await browser.login(tenant.designer_email, next_url=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/app/"


async def test_login_form_needs_its_csrf_token(browser: Browser, tenant: Tenant):
    await browser.get("/app/login")
    response = await browser.post(
        "/app/login", {"email": tenant.designer_email, "password": "correct-horse-battery"}, csrf=False
    )
    assert response.status_code == 403


async def test_session_forms_need_the_csrf_token(browser: Browser, tenant: Tenant):
    await browser.login(tenant.designer_email)
    await browser.get("/app/settings/tokens")
    refused = await browser.post("/app/settings/tokens", {"name": "forged"}, csrf=False)
    assert refused.status_code == 403
    forged = await browser.client.post(
        "/app/settings/tokens",
        data={"name": "forged", "_csrf_token": "0" * 128},
        headers={"accept": "text/html"},
    )
    assert forged.status_code == 403
    accepted = await browser.post("/app/settings/tokens", {"name": "nightly export"})
    assert accepted.status_code == 200


async def test_token_is_shown_once_works_and_can_be_revoked(
    browser: Browser, tenant: Tenant, client: httpx.AsyncClient
):
    await browser.login(tenant.designer_email)
    await browser.get("/app/settings/tokens")
    created = await browser.post("/app/settings/tokens", {"name": "reporting"})
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', created.text).group(1)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == tenant.designer_email
    listing = await browser.get("/app/settings/tokens")
    assert token not in listing.text  # shown once only
    token_id = re.findall(r"/app/settings/tokens/(\d+)/revoke", listing.text)[0]
    revoked = await browser.post(f"/app/settings/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_logout_ends_the_session(browser: Browser, tenant: Tenant):
    await browser.login(tenant.designer_email)
    assert (await browser.get("/app/")).status_code == 200
    out = await browser.post("/app/logout")
    assert out.status_code == 303 and out.headers["location"] == "/app/login"
    assert (await browser.get("/app/")).status_code == 302


def viewer_email(tenant: Tenant) -> str:
    return tenant.admin_email.replace("admin-", "viewer-", 1)


async def test_viewer_reads_but_cannot_write(browser: Browser, tenant: Tenant):
    await browser.login(viewer_email(tenant))
    overview = await browser.get("/app/")
    assert overview.status_code == 200
    assert "(viewer)" in overview.text
    users = await browser.get("/app/settings/users")
    assert users.status_code == 403
    await browser.get("/app/settings/tokens")
    refused = await browser.post("/app/settings/users", {"email": "x@example.org", "role": "admin"})
    assert refused.status_code == 403
    # a viewer may still hold API tokens of their own (read-only scripts)
    assert (await browser.post("/app/settings/tokens", {"name": "read-only"})).status_code == 200


async def test_admin_adds_a_user_who_can_then_sign_in(browser: Browser, tenant: Tenant, app, client):
    await browser.login(tenant.admin_email)
    page = await browser.get("/app/settings/users")
    assert page.status_code == 200 and tenant.designer_email in page.text
    email = tenant.admin_email.replace("admin-", "newbie-", 1)
    added = await browser.post(
        "/app/settings/users",
        {"email": email, "name": "New <b>Designer</b>", "role": "designer", "password": "long-enough-pw"},
    )
    assert added.status_code == 303
    listing = await browser.get("/app/settings/users")
    assert "New &lt;b&gt;Designer&lt;/b&gt;" in listing.text
    duplicate = await browser.post("/app/settings/users", {"email": email, "role": "designer"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.text
    bad_role = await browser.post("/app/settings/users", {"email": "z" + email, "role": "owner"})
    assert bad_role.status_code == 400 and "role must be one of" in bad_role.text.lower()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        newcomer = Browser(other)
        assert (await newcomer.login(email, password="long-enough-pw")).status_code == 303


async def test_every_html_page_carries_the_security_headers(browser: Browser, tenant: Tenant):
    for url in ("/app/login",):
        response = await browser.get(url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    await browser.login(tenant.admin_email)
    for url in ("/app/", "/app/settings/tokens", "/app/settings/users"):
        response = await browser.get(url)
        assert response.status_code == 200, url
        assert "content-security-policy" in response.headers, url
        assert "<script>" not in response.text and " style=" not in response.text, url


async def test_static_files_are_public_and_vendored(client: httpx.AsyncClient):
    for name in ("htmx.min.js", "app.js", "app.css"):
        response = await client.get(f"/static/app/{name}")
        assert response.status_code == 200, name
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_errors_are_pages_for_people_and_json_for_scripts(
    browser: Browser, tenant, client: httpx.AsyncClient
):
    await browser.login(tenant.designer_email)
    missing = await browser.get("/app/alerts/987654321")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "alert 987654321 not found" in missing.text and 'href="/app/"' in missing.text
    forged = await browser.post("/app/settings/tokens", {"name": "x"}, csrf=False)
    assert (
        forged.status_code == 403
        and "reload the page" in forged.text
        and "<h1>Not allowed</h1>" in forged.text
    )
    bad_query = await browser.get("/app/surveys?credential_id=abc")
    assert bad_query.status_code == 400 and "<h1>" in bad_query.text
    scripted = await client.get(
        "/app/alerts/987654321", headers={"Authorization": f"Bearer {tenant.designer_token}"}
    )
    assert scripted.status_code == 404 and scripted.json() == {
        "status_code": 404,
        "detail": "alert 987654321 not found",
    }
