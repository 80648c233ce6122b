"""In-process HTTP clients for an app built inside a test."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar

TEST_SERVER = {
    "env": "test",
    "secret_key": "test-secret-key-0123456789",
    "run_worker": False,
    "run_scheduler": False,
}


def suite_settings(database_url: str, server: dict | None = None, **groups: dict):  # noqa: ANN201
    """The suite's settings (test mode, no worker or scheduler) on `database_url`, with `server` and other
    groups' values on top."""
    from service.settings import build_settings

    return build_settings(database={"url": database_url}, server={**TEST_SERVER, **(server or {})}, **groups)


@contextlib.asynccontextmanager
async def app_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield a client that calls it on this event loop."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
