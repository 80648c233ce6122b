"""PostgreSQL going away under the service: /health answers 503 while it is down and the service recovers by
itself when it is back (no restart of the service). Runs on a throwaway cluster of its own."""

from __future__ import annotations

import asyncio

import pytest

from service.app import create_app
from service.db import upgrade
from service.settings import build_settings
from tests.support.clients import app_client
from tests.support.databases import ThrowawayCluster, create_database, throwaway_available

pytestmark = pytest.mark.skipif(
    not throwaway_available(), reason="needs the PostgreSQL server binaries (initdb, pg_ctl)"
)


async def _health(client) -> int:  # noqa: ANN001
    return (await client.get("/health")).status_code


async def test_health_follows_the_database_down_and_back():
    cluster = await asyncio.to_thread(ThrowawayCluster)
    await asyncio.to_thread(cluster.start)
    try:
        url = await asyncio.to_thread(create_database, cluster.admin_url, "restart_test")
        await asyncio.to_thread(upgrade, url)
        settings = build_settings(
            database={"url": url}, server={"env": "test", "run_worker": False, "run_scheduler": False}
        )
        async with app_client(create_app(settings)) as client:
            assert await _health(client) == 200
            # load: a burst of requests holds pooled connections when the server dies
            await asyncio.gather(*(client.get("/health") for _ in range(20)))
            await asyncio.to_thread(cluster.stop)
            assert await _health(client) == 503
            assert (await client.get("/health")).json() == {"status": "degraded", "database": "unreachable"}
            await asyncio.to_thread(cluster.start)
            statuses = []
            for _ in range(20):
                statuses.append(await _health(client))
                if statuses[-1] == 200:
                    break
                await asyncio.sleep(0.5)
            assert statuses[-1] == 200, statuses
    finally:
        await asyncio.to_thread(cluster.remove)
