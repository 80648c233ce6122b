from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.security.support import Browser
from tests.support.seeds_surveys import fresh_survey_rate_limits  # noqa: F401 - autouse: fresh counters per test


@pytest.fixture
async def browser(app, client) -> AsyncIterator[Browser]:  # noqa: ANN001 - `client` runs the app's lifespan
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as own:
        yield Browser(own)


@pytest.fixture
async def openapi(client) -> dict:  # noqa: ANN001
    return (await client.get("/schema/openapi.json")).json()
