"""Limits of one credential import: bytes (413, before parsing) and competencies (400, before linking); the
server keeps answering /health while a huge document is refused; a large import runs in the background."""

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
from tests.support.runs import wait_for_run

LD = {"Content-Type": "application/ld+json"}


async def _credentials(app, org_id: int) -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return await session.scalar(
            select(func.count()).select_from(Credential).where(Credential.org_id == org_id)
        )


async def test_a_100000_competency_graph_is_refused_at_once_and_health_keeps_answering(
    api, client, app, tenant
):
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


async def test_a_large_import_answers_202_and_runs_in_the_background(settings, tenant, other_tenant, app):
    """Over the background threshold (here 30) the request only parses and queues; the import is polled."""
    background = settings.model_copy(
        update={"credentials": settings.credentials.model_copy(update={"background_import_competencies": 30})}
    )
    async with app_client(create_app(background)) as own:
        api = Api(own, tenant.designer_token)
        started = time.perf_counter()
        response = await api.post("/api/v1/credentials/import", content=ctdl_graph(31, "Queued"), headers=LD)
        elapsed = time.perf_counter() - started
        assert response.status_code == 202, response.text[:300]
        assert elapsed < 2.0, f"queueing the import took {elapsed:.2f} s"
        queued = response.json()
        assert queued["status"] in ("queued", "running") and queued["competencies"] == 31
        location = response.headers["location"]
        assert location == f"/api/v1/credentials/imports/{queued['id']}"
        assert (await Api(own, other_tenant.designer_token).get(location)).status_code == 404
        done = await wait_for_run(own, location, api._headers(None), seconds=180)
        assert done["status"] == "succeeded", done
        assert (
            done["report"]["format"] == "ctdl"
            and done["report"]["credentials"][0]["competencies_added"] == 31
        )
        assert done["finished_at"] and done["progress"] is None
        assert await _credentials(app, tenant.org_id) == 1

        # a small import stays synchronous unless asked: Prefer: respond-async
        small = await api.post(
            "/api/v1/credentials/import",
            content=ctdl_graph(2, "Asked"),
            headers={**LD, "Prefer": "respond-async"},
        )
        assert small.status_code == 202, small.text[:300]
        assert small.headers["preference-applied"] == "respond-async"
        assert "preference-applied" not in response.headers
        assert (await wait_for_run(own, small.headers["location"], api._headers(None)))[
            "status"
        ] == "succeeded"
        # a bad document is still refused by the request itself
        bad = await api.post("/api/v1/credentials/import", content=b"{not json", headers=LD)
        assert bad.status_code == 400
