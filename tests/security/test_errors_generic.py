"""An unexpected exception answers a generic 500 (JSON for the API, a page for the dashboard) that says
nothing about the error; the traceback is logged under the reference the response carries."""

from __future__ import annotations

import logging

import pytest
from litestar import get

from service.app import create_app
from tests.support.clients import app_client

LEAK = "boom at /srv/secret/path.py with password=hunter2"


@get("/api/v1/test-only/boom", operation_id="testOnlyBoom", include_in_schema=False)
async def api_boom() -> dict:
    raise RuntimeError(LEAK)


@get("/app/test-only/boom", include_in_schema=False)
async def page_boom() -> dict:
    raise KeyError(LEAK)


@pytest.fixture
async def boom_client(settings):  # noqa: ANN001, ANN201
    app = create_app(settings)
    app.register(api_boom)
    app.register(page_boom)
    async with app_client(app) as client:
        yield client


async def test_api_500_is_generic_and_logged_with_a_request_id(boom_client, tenant, caplog) -> None:  # noqa: ANN001
    with caplog.at_level(logging.ERROR, logger="skillpulse.errors"):
        response = await boom_client.get(
            "/api/v1/test-only/boom", headers={"Authorization": f"Bearer {tenant.viewer_token}"}
        )
    assert response.status_code == 500
    assert response.json() == {"status_code": 500, "detail": "Internal Server Error"}
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    request_id = response.headers["x-request-id"]
    logged = [r for r in caplog.records if r.name == "skillpulse.errors" and request_id in r.getMessage()]
    assert logged and logged[0].exc_info and LEAK in str(logged[0].exc_info[1])


async def test_dashboard_500_is_a_generic_page(boom_client, tenant) -> None:  # noqa: ANN001
    response = await boom_client.get(
        "/app/test-only/boom",
        headers={"Authorization": f"Bearer {tenant.viewer_token}", "Accept": "text/html"},
    )
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text
    assert response.headers["x-request-id"] in response.text
    assert "hunter2" not in response.text and "KeyError" not in response.text
