"""Replicas started at once on a fresh PostgreSQL database: every one of them migrates (or finds the schema
migrated) and starts; none crashes on the `alembic_version` race."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.databases import create_database, drop_database

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
RACERS = 3
# Each process imports everything first, then waits for the same instant to call upgrade.
MIGRATE_AT = (
    "import sys, time; from service.db import upgrade; "
    "time.sleep(max(0.0, float(sys.argv[1]) - time.time())); upgrade(sys.argv[2]); print('migrated')"
)


async def _versions(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    finally:
        await engine.dispose()


def test_concurrent_upgrades_on_a_fresh_database_all_succeed(postgres_server):
    name = f"skillpulse_race_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server, name)
    try:
        start_at = time.time() + 8
        racers = [
            subprocess.Popen(  # noqa: S603 - our interpreter, our code
                [sys.executable, "-c", MIGRATE_AT, str(start_at), url],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(RACERS)
        ]
        outputs = [p.communicate(timeout=300) for p in racers]
        results = [(p.returncode, out, err) for p, (out, err) in zip(racers, outputs, strict=True)]
        assert [code for code, _, _ in results] == [0] * RACERS, [err[-2000:] for _, _, err in results]
        assert all(out.strip() == "migrated" for _, out, _ in results)
        assert len(asyncio.run(_versions(url))) == 1
    finally:
        drop_database(postgres_server, name)


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_serve_started_at_once_on_a_fresh_database_both_answer_health(postgres_server):
    import os

    import httpx

    name = f"skillpulse_race_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
    env.update(
        SKILLPULSE_DATABASE_URL=url,
        SKILLPULSE_ENV="test",
        SKILLPULSE_SECRET_KEY="race-test-secret-key-0123456789abcdef0123",
        SKILLPULSE_RUN_WORKER="false",
        SKILLPULSE_RUN_SCHEDULER="false",
        SKILLPULSE_LOG_LEVEL="WARNING",
    )
    ports = [_port(), _port()]
    servers = [
        subprocess.Popen(  # noqa: S603 - our interpreter, our app
            [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    try:
        healthy = set()
        deadline = time.monotonic() + 120
        while len(healthy) < 2 and time.monotonic() < deadline:
            for port, server in zip(ports, servers, strict=True):
                assert server.poll() is None, server.stderr.read()[-3000:]
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()["database"] == "ok":
                        healthy.add(port)
                except (httpx.HTTPError, ValueError):
                    pass
            time.sleep(0.3)
        assert healthy == set(ports)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
        drop_database(postgres_server, name)
