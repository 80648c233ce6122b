"""Polling the runs that POST /drift/run and POST /import-sources/{id}/run start (202 + Location)."""

from __future__ import annotations

import asyncio
import time

import httpx

FINISHED = ("succeeded", "failed")


async def wait_for_run(
    client: httpx.AsyncClient, location: str, headers: dict | None = None, seconds: float = 120.0
) -> dict:
    """GET `location` until the run's status is succeeded or failed (at most `seconds`); returns the run."""
    deadline = time.monotonic() + seconds
    while True:
        response = await client.get(location, headers=headers)
        assert response.status_code == 200, response.text
        run = response.json()
        if run["status"] in FINISHED:
            return run
        assert time.monotonic() < deadline, f"run {location} still {run['status']} after {seconds} s"
        await asyncio.sleep(0.05)


async def finished(response: httpx.Response, client: httpx.AsyncClient, headers: dict | None = None) -> dict:
    """The run a 202 answer started, polled until it ends."""
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location.endswith(f"/{response.json()['id']}")
    return await wait_for_run(client, location, headers)


async def run_drift(api, body: dict | None = None) -> dict:  # noqa: ANN001 - tests.conftest.Api
    """POST /api/v1/drift/run as `api` and wait for the run to end."""
    response = await api.post("/api/v1/drift/run", json=body or {})
    return await finished(response, api.client, api._headers(None))


async def run_source(api, source_id: int) -> dict:  # noqa: ANN001 - tests.conftest.Api
    """POST /api/v1/import-sources/{id}/run as `api` and wait for the run to end."""
    response = await api.post(f"/api/v1/import-sources/{source_id}/run")
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/api/v1/import-sources/{source_id}/runs/{response.json()['id']}"
    return await wait_for_run(api.client, response.headers["location"], api._headers(None))
