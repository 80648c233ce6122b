"""Rows stored before the geography get their codes: the upgrade to 0010 fills `posting.geo` and
`credential.region_codes` from the region text, in batches; `skillpulse geo backfill` does it again and
finds nothing new to fill. On a fresh database of its own (migrated to 0009 first)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import upgrade
from service.geo.backfill import fill_all
from tests.support.databases import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
POSTED = {"Toledo, OH 43604": ["39095"], "Springfield": None, "Cleveland, OH": ["39035"], None: None}
CREDENTIALS = {"Lucas County, OH": ["county:39095"], "Northeast Ohio": ["state:OH"], "Halifax": []}


@pytest.fixture
def fresh_url(db_kind, postgres_server, tmp_path) -> Iterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'backfill.db'}"
        return
    name = f"skillpulse_backfill_{uuid.uuid4().hex[:12]}"
    try:
        yield create_database(postgres_server, name)
    finally:
        drop_database(postgres_server, name)


async def _execute(url: str, *statements: sa.Executable) -> list:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return [(await conn.execute(statement)) for statement in statements]
    finally:
        await engine.dispose()


async def _store_before_0010(url: str, copies: int) -> None:
    """An organisation, postings and credentials as a 0009 database holds them: no codes yet."""
    org = sa.table("organisation", sa.column("id"), sa.column("name"), sa.column("created_at"))
    posting = sa.table(
        "posting",
        *(sa.column(c) for c in ("org_id", "source", "external_id", "title", "text", "region")),
        *(sa.column(c) for c in ("content_hash", "extraction_status", "created_at", "updated_at")),
    )
    credential = sa.table(
        "credential",
        *(sa.column(c) for c in ("org_id", "name", "description", "type", "region", "language")),
        *(sa.column(c) for c in ("source_format", "created_at", "updated_at")),
        sa.column("occupations", JsonB),
        sa.column("extra", JsonB),
    )
    now = sa.func.current_timestamp()
    rows = [
        {"org_id": 1, "source": "old", "external_id": f"{i}-{n}", "title": "Welder", "text": "MIG"}
        | {"region": region, "content_hash": f"h{i}-{n}", "extraction_status": "done"}
        for n in range(copies)
        for i, region in enumerate(POSTED)
    ]
    creds = [
        {"org_id": 1, "name": f"C{i}", "description": "", "type": "Certificate", "occupations": []}
        | {"region": region, "language": "en", "source_format": "json", "extra": {}}
        for i, region in enumerate(CREDENTIALS)
    ]
    await _execute(url, sa.insert(org).values(id=1, name="Old College", created_at=now))
    await _execute(url, *(sa.insert(posting).values(**row, created_at=now, updated_at=now) for row in rows))
    await _execute(url, *(sa.insert(credential).values(**c, created_at=now, updated_at=now) for c in creds))


async def _codes(url: str) -> tuple[dict, dict]:
    posting = sa.table("posting", sa.column("region"), sa.column("geo", sa.JSON))
    credential = sa.table("credential", sa.column("region"), sa.column("region_codes", sa.JSON))
    geo, regions = await _execute(
        url,
        sa.select(posting.c.region, posting.c.geo),
        sa.select(credential.c.region, credential.c.region_codes),
    )
    counties = {}
    for region, value in geo.all():
        value = json.loads(value) if isinstance(value, str) else value
        counties.setdefault(region, set()).add(tuple(value["county"]) if value else None)
    return counties, dict(regions.all())


def _backfill_cli(url: str) -> dict:
    env = {**os.environ, "SKILLPULSE_DATABASE_URL": url, "SKILLPULSE_ENV": "test"}
    env["SKILLPULSE_SECRET_KEY"] = "test-secret-key-0123456789"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from service.cli import main; main()",
            "geo",
            "backfill",
            "--batch-size",
            "3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_upgrade_fills_the_codes_of_older_rows_and_a_second_pass_finds_nothing_new(fresh_url):
    upgrade(fresh_url, "0009")
    asyncio.run(_store_before_0010(fresh_url, copies=3))
    upgrade(fresh_url, "head")
    counties, regions = asyncio.run(_codes(fresh_url))
    assert counties == {
        "Toledo, OH 43604": {("39095",)},
        "Cleveland, OH": {("39035",)},
        "Springfield": {None},
        None: {None},
    }
    assert regions == CREDENTIALS
    again = _backfill_cli(fresh_url)  # only the rows naming nothing known are read again; none is written
    assert again == {"postings": {"read": 3, "filled": 0}, "credentials": {"read": 1, "filled": 0}}


async def _clear_and_refill(url: str, batch_size: int) -> dict:
    posting = sa.table("posting", sa.column("geo", sa.JSON))
    await _execute(url, sa.update(posting).values(geo=sa.null()))
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(fill_all, batch_size)
    finally:
        await engine.dispose()


def test_the_backfill_reads_in_batches_and_fills_every_batch(fresh_url):
    upgrade(fresh_url, "0009")
    asyncio.run(_store_before_0010(fresh_url, copies=5))
    upgrade(fresh_url, "head")
    done = asyncio.run(_clear_and_refill(fresh_url, batch_size=2))
    assert done["postings"] == {"read": 15, "filled": 10}  # 5 copies of 3 places with text, 2 of them known
    counties, _ = asyncio.run(_codes(fresh_url))
    assert counties["Toledo, OH 43604"] == {("39095",)} and counties["Cleveland, OH"] == {("39035",)}
