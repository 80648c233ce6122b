"""Session cookies carry the user's session version: signing out or a new password revokes every copy of
the cookie at once, and a cookie forged with the published development secret opens nothing in production."""

from __future__ import annotations

import asyncio

import httpx
from cryptography.fernet import Fernet
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from sqlalchemy import select

from service.app import _key, create_app
from service.auth.models import User
from service.db import session_scope
from service.settings import build_settings
from tests.integration.test_cli_users import run_cli
from tests.security.signin_support import browser_from, fresh_address
from tests.support.factories import Tenant

COOKIE = "skillpulse_session"
NEW = "a-brand-new-password"  # noqa: S105


def _cookie(browser) -> str:  # noqa: ANN001
    return browser.client.cookies[COOKIE]


async def _replay(app, cookie: str) -> int:  # noqa: ANN001
    """Status of the dashboard overview for a client that has only this stolen/kept cookie."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        return (
            await other.get("/app/", headers={"accept": "text/html", "cookie": f"{COOKIE}={cookie}"})
        ).status_code


async def test_a_signed_out_cookie_is_refused_everywhere(app, client, tenant: Tenant):
    async with browser_from(app, fresh_address()) as laptop, browser_from(app, fresh_address()) as phone:
        await laptop.sign_in(tenant, email=tenant.designer_email)
        await phone.sign_in(tenant, email=tenant.designer_email)
        kept = _cookie(laptop)
        assert await _replay(app, kept) == 200  # a copy of the cookie works while signed in
        out = await laptop.post("/app/logout")
        assert out.status_code == 303
        assert await _replay(app, kept) == 302  # the copy kept from before signing out is dead
        assert (await phone.get("/app/")).status_code == 302  # and so is the session on the other device
        await laptop.sign_in(tenant, email=tenant.designer_email)  # signing in again gives a working cookie
        assert (await laptop.get("/app/")).status_code == 200


async def test_a_new_password_revokes_the_old_sessions(app, client, database_url, tenant: Tenant):
    async with browser_from(app, fresh_address()) as browser:
        await browser.sign_in(tenant, email=tenant.designer_email)
        kept = _cookie(browser)
        changed = await asyncio.to_thread(
            run_cli,
            ["users", "set-password", "--email", tenant.designer_email, "--password", NEW],
            database_url,
        )
        assert changed.returncode == 0, changed.stderr
        assert await _replay(app, kept) == 302
        assert (await browser.login(tenant.designer_email)).status_code == 400  # the old password is gone
        assert (await browser.login(tenant.designer_email, password=NEW)).status_code == 303
        too_short = run_cli(
            ["users", "set-password", "--email", tenant.designer_email, "--password", "short"], database_url
        )
        assert (
            too_short.returncode == 1
            and "at least 8" in too_short.stderr
            and "Traceback" not in too_short.stderr
        )


async def test_a_cookie_forged_with_the_default_secret_is_refused_in_production(
    settings, app, client, tenant: Tenant
):
    async with session_scope(app.state.engine) as session:
        admin = (await session.execute(select(User).where(User.email == tenant.admin_email))).scalar_one()
        user_id, version = admin.id, admin.session_version
    production = build_settings(
        database={"url": settings.database.url},
        server={"env": "production", "secret_key": "7c" * 32, "run_worker": False, "run_scheduler": False},
        encryption={"secret_keys": Fernet.generate_key().decode()},
    )
    development = build_settings(database={"url": settings.database.url}, server={"env": "development"})
    prod_app = create_app(
        production
    )  # no lifespan (it would start the NLP pool): the auth middleware needs none

    def forged(with_settings) -> str:  # noqa: ANN001
        backend = ClientSideSessionBackend(
            CookieBackendConfig(secret=_key(with_settings, "session"), key=COOKIE)
        )
        return b"".join(backend.dump_data({"user_id": user_id, "sv": version})).decode()

    try:
        assert await _replay(prod_app, forged(development)) == 302
    finally:
        await prod_app.state.engine.dispose()
    # control, on the suite's app: the same contents sealed with that app's own key do open the dashboard, so
    # the refusal above is the secret's doing; and a cookie without a session version opens nothing
    assert await _replay(app, forged(settings)) == 200
    backend = ClientSideSessionBackend(CookieBackendConfig(secret=_key(settings, "session"), key=COOKIE))
    legacy = b"".join(backend.dump_data({"user_id": user_id})).decode()
    assert await _replay(app, legacy) == 302
