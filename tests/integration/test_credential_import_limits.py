"""Limits of one credential import: bytes (413, before parsing) and competencies (400, before linking), and the
server keeps answering /health while a huge document is refused."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from service.app import create_app
from service.credentials.models import Credential
from service.db import session_scope
from tests.conftest import Api
from tests.support.big_credentials import ctdl_graph
from tests.support.clients import app_client

LD = {"Content-Type": "application/ld+json"}


async def _credentials(app, org_id: int) -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return await session.scalar(select(func.count()).select_from(Credential).where(Credential.org_id == org_id))


async def test_a_100000_competency_graph_is_refused_at_once_and_health_keeps_answering(api, client, app, tenant):
    body = ctdl_graph(100_000)
    assert 9 * 1024 * 1024 < len(body) < 10 * 1024 * 1024  # under the server's 10 MB body limit
    latencies: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            response = await client.get("/health")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
            await asyncio.sleep(0.02)

    async def post():  # noqa: ANN202 - httpx.Response
        try:
            return await asyncio.wait_for(
                api.post("/api/v1/credentials/import", content=body, headers=LD), timeout=30
            )
        finally:
            done.set()

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    response = await post()
    took = time.perf_counter() - started
    await prober
    assert response.status_code == 413, response.text[:300]
    assert took < 5, f"refusing the document took {took:.2f} s"
    detail = response.json()["detail"]
    assert "5.0 MB" in detail and "SKILLPULSE_CREDENTIALS_MAX_IMPORT_BYTES" in detail, detail
    assert latencies and max(latencies) < 1.0, f"/health took up to {max(latencies):.3f} s during the import"
    assert await _credentials(app, tenant.org_id) == 0


async def test_a_streamed_body_is_cut_off_at_the_limit(api):
    sent = 0

    async def chunks():  # no Content-Length: the limit is enforced while reading
        nonlocal sent
        for _ in range(8):
            sent += 1
            yield b" " * (1024 * 1024)

    started = time.perf_counter()
    response = await api.post("/api/v1/credentials/import", content=chunks(), headers=LD)
    assert response.status_code == 413, response.text[:300]
    assert "more than 5.0 MB" in response.json()["detail"]
    assert time.perf_counter() - started < 10


async def test_too_many_competencies_are_refused_naming_the_limit(settings, tenant, app):
    limited = settings.model_copy(
        update={"credentials": settings.credentials.model_copy(update={"max_import_competencies": 40})}
    )
    async with app_client(create_app(limited)) as own:
        api = Api(own, tenant.designer_token)
        refused = await api.post("/api/v1/credentials/import", content=ctdl_graph(41), headers=LD)
        assert refused.status_code == 400, refused.text[:300]
        detail = refused.json()["detail"]
        assert "41 competencies" in detail and "at most 40" in detail, detail
        assert await _credentials(app, tenant.org_id) == 0
        accepted = await api.post("/api/v1/credentials/import", content=ctdl_graph(40, "Fits"), headers=LD)
        assert accepted.status_code == 200, accepted.text[:300]
        assert [c["competencies_added"] for c in accepted.json()["credentials"]] == [40]
