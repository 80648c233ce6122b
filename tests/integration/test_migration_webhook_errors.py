"""Migration 0005 rewrites the delivery errors stored before #16 (exception names that told an open internal
port from a closed one) into the generic words the sender now uses."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import upgrade
from tests.support.databases import create_database, drop_database

OLD = {
    "ConnectError: [Errno 111] Connection refused": "connection failed",
    "ReadError": "connection failed",
    "RemoteProtocolError: Server disconnected without sending a response.": "connection failed",
    "ReadTimeout": "timed out",
    "ConnectTimeout: timed out": "timed out",
    "receiver answered HTTP 500": "HTTP 5xx",
    "receiver answered HTTP 404": "HTTP 4xx",
    "receiver answered HTTP 302": "HTTP 3xx (redirects are not followed)",
    "webhook disabled before delivery": "webhook disabled before delivery",
}


async def _errors_after_upgrade(url: str) -> dict[str, str | None]:
    await asyncio.to_thread(upgrade, url, "0002")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO organisation (id, name, created_at) VALUES (1, 'o', CURRENT_TIMESTAMP)")
            )
            await conn.execute(
                text(
                    "INSERT INTO webhook (id, org_id, url, secret, events, enabled, created_at) "
                    "VALUES (1, 1, 'http://x', 'secret-secret-secret', '[]', true, CURRENT_TIMESTAMP)"
                )
            )
            for i, error in enumerate([*OLD, None], start=1):
                await conn.execute(
                    text(
                        "INSERT INTO webhook_delivery (id, org_id, webhook_id, event, payload, status, "
                        "attempts, error, next_attempt_at, created_at) VALUES (:i, 1, 1, 'alert.opened', "
                        "'{}', 'failed', 1, :e, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"i": i, "e": error},
                )
        await asyncio.to_thread(upgrade, url, "0005")
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, error FROM webhook_delivery ORDER BY id"))).all()
    finally:
        await engine.dispose()
    keys = [*OLD, None]
    return {keys[i - 1]: error for i, error in rows}


async def test_old_delivery_errors_become_generic(db_kind, postgres_server, tmp_path):
    if db_kind == "sqlite":
        got = await _errors_after_upgrade(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    else:
        name = f"skillpulse_mig_{uuid.uuid4().hex[:12]}"
        url = await asyncio.to_thread(create_database, postgres_server, name)
        try:
            got = await _errors_after_upgrade(url)
        finally:
            await asyncio.to_thread(drop_database, postgres_server, name)
    assert got == {**OLD, None: None}
