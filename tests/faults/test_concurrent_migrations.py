"""Replicas started at once on a fresh PostgreSQL database: every one of them migrates (or finds the schema
migrated) and starts; none crashes on the `alembic_version` race."""

from __future__ import annotations

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


async def test_concurrent_upgrades_on_a_fresh_database_all_succeed(postgres_server):
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
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        finally:
            await engine.dispose()
        assert len(versions) == 1
    finally:
        drop_database(postgres_server, name)
