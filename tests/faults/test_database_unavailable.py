"""The database refusing connections (down, or out of connection slots) is the server's condition, not a bug:
every route answers 503 with Retry-After and a JSON detail, never a 500, and /health says degraded."""

from __future__ import annotations

import socket
import uuid

import asyncpg
import pytest

from service.app import create_app
from service.settings import build_settings
from tests.support.clients import app_client

pytestmark = pytest.mark.postgres_only


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _answers(url: str) -> dict[str, tuple[int, str]]:
    settings = build_settings(
        database={"url": url}, server={"env": "test", "run_worker": False, "run_scheduler": False}
    )
    async with app_client(create_app(settings)) as client:
        seen = {}
        for path, headers in (
            ("/health", {}),
            ("/api/v1/alerts", {"Authorization": "Bearer sp_" + "a" * 43}),
            ("/s/" + "b" * 43, {}),
            ("/app/alerts", {}),
        ):
            response = await client.get(path, headers=headers)
            seen[path] = (response.status_code, response.headers.get("retry-after", ""), response.text[:200])
        return seen


def _check(seen: dict) -> None:
    assert seen["/health"][0] == 503
    for path in ("/api/v1/alerts", "/s/" + "b" * 43):
        status, retry_after, body = seen[path]
        assert status == 503 and retry_after and "database" in body.lower(), f"{path}: {seen[path]}"


async def test_database_down_answers_503_not_500():
    _check(await _answers(f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/skillpulse"))


async def test_database_out_of_connection_slots_answers_503_not_500(postgres_server, database_url):
    """PostgreSQL's own 'too many clients' (SQLSTATE 53300), as under load: a role allowed no connections."""
    role = f"skillpulse_full_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres_server)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
        try:
            url = database_url.replace("postgresql+asyncpg://postgres@", f"postgresql+asyncpg://{role}@")
            assert url != database_url
            _check(await _answers(url))
        finally:
            await admin.execute(f"DROP ROLE {role}")
    finally:
        await admin.close()
