"""The app's public face: health, OpenAPI, and errors as JSON with the right status."""

from __future__ import annotations

import json

from service.app import create_app
from service.settings import build_settings
from tests.support.clients import app_client


async def test_health_reports_database_ok(anon_api):
    response = await anon_api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_is_503_when_database_unreachable():
    settings = build_settings(
        database={"url": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}, server={"env": "test"}
    )
    async with app_client(create_app(settings)) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "unreachable"}


async def test_openapi_document_lists_operations(anon_api):
    response = await anon_api.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    operation_ids = {
        op["operationId"] for path in doc["paths"].values() for op in path.values() if "operationId" in op
    }
    assert {"health", "getMe", "createToken"} <= operation_ids


async def test_unknown_route_is_json_404(api):
    response = await api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


async def test_malformed_json_is_400(api):
    response = await api.post(
        "/api/v1/tokens", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["status_code"] == 400


async def test_validation_error_names_the_field(admin_api):
    response = await admin_api.post("/api/v1/users", json={"email": "not-an-email", "role": "designer"})
    assert response.status_code == 400
    assert "email" in response.json()["detail"]


async def test_unknown_field_is_refused(admin_api):
    response = await admin_api.post(
        "/api/v1/users", json={"email": "x@example.org", "role": "designer", "org_id": 1}
    )
    assert response.status_code == 400
    assert "org_id" in response.json()["detail"]


async def test_body_over_limit_is_413(settings, tenant):
    small = settings.model_copy(
        update={"server": settings.server.model_copy(update={"max_body_bytes": 2048})}
    )
    async with app_client(create_app(small)) as client:
        body = json.dumps({"name": "x" * 5000})
        response = await client.post(
            "/api/v1/tokens",
            content=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {tenant.designer_token}"},
        )
    assert response.status_code == 413
    assert response.json()["status_code"] == 413


async def test_errors_never_carry_a_traceback(api):
    response = await api.post("/api/v1/tokens", content=b"[1,2", headers={"Content-Type": "application/json"})
    assert "Traceback" not in response.text


async def test_ids_beyond_the_database_integer_range_are_400(api, admin_api):
    response = await api.delete("/api/v1/tokens/2092747753310")
    assert response.status_code in {400, 404}, response.text
    response = await admin_api.get("/api/v1/webhooks/7127959404391173460721459385073664/deliveries")
    assert response.status_code in {400, 404}, response.text


async def test_ready_is_503_while_the_nlp_pool_loads_then_200(settings):
    """/health/ready starts the NLP pool (under env=test it starts on first use) and answers 503 saying what is
    still loading until every process has loaded the model; then 200. /health does not wait for it."""
    import asyncio

    app = create_app(settings)
    async with app_client(app) as client:
        assert (await client.get("/health")).status_code == 200
        first = await client.get("/health/ready")
        assert first.status_code == 503
        assert first.json() == {"status": "starting", "database": "ok", "nlp": "loading"}
        for _ in range(1200):  # a hang guard, not a timing: the model loads in well under this
            answer = await client.get("/health/ready")
            if answer.status_code == 200:
                break
            assert answer.json()["nlp"] == "loading"
            await asyncio.sleep(0.25)
        assert answer.status_code == 200
        assert answer.json() == {"status": "ready", "database": "ok", "nlp": "ready"}
        assert app.state.nlp.ready()
