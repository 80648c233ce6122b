"""Apps with their own sign-in settings on the suite's database, and browsers that come from a chosen client
address (the throttle counts per address, and the suite's own client is always 127.0.0.1)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar
from sqlalchemy import delete

from service.app import create_app
from service.auth.models import SignInThrottle
from service.db import session_scope
from service.settings import Settings
from tests.security.support import Browser
from tests.support.clients import suite_settings


def app_with(settings: Settings, auth: dict | None = None, **server: object) -> Litestar:
    return create_app(suite_settings(settings.database.url, server, auth=auth or {}))


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[Litestar]:
    try:
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
            yield app
    finally:
        await app.state.engine.dispose()


@contextlib.asynccontextmanager
async def browser_from(app: Litestar, address: str) -> AsyncIterator[Browser]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as own:
        yield Browser(own)


def fresh_address() -> str:
    """A documentation-range address of this test's own (198.18.0.0/15 is the benchmarking range)."""
    n = uuid.uuid4().int
    return f"198.18.{n % 256}.{(n >> 8) % 254 + 1}"


async def forget_failures(app: Litestar) -> None:
    async with session_scope(app.state.engine) as session:
        await session.execute(delete(SignInThrottle))
