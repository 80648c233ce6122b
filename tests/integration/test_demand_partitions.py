"""PostgreSQL: demand_rollup is partitioned by month (migration 0014); a month's partition is made as upkeep
first writes it, and an old month detaches (`skillpulse drift detach-month`) while a drift run over the
recent windows answers exactly as before."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from service.db import session_scope
from service.demand.partitions import SCHEMA, partitions
from service.demand.rollup_rebuild import rebuild
from service.demand.runs import run_drift
from tests.support.cli import run_cli
from tests.support.demand_data import PlannedPosting, add_postings, make_credential

pytestmark = pytest.mark.postgres_only

AS_OF = date(2019, 12, 31)  # windows: baseline 2018-10-03 .. 2019-10-02, current 2019-10-03 .. 2019-12-31
OLD = date(2018, 3, 1)  # a month before both windows (no other test writes 2018)
CODE = "15-1232.00"


def planned(rng: random.Random) -> list[PlannedPosting]:
    out = []
    for n in range(240):
        posted = (
            OLD + timedelta(days=rng.randrange(31)) if n < 40 else AS_OF - timedelta(days=rng.randrange(450))
        )
        recent = posted >= AS_OF - timedelta(days=89)
        concepts = [("SQL", "required")]
        if rng.random() < (0.6 if recent else 0.05):
            concepts.append(("Docker", "preferred"))
        out.append(PlannedPosting(posted, CODE, concepts))
    return out


def drift_view(run) -> dict:  # noqa: ANN001 - DriftRun
    """What a run decided, less its timestamps and ids."""
    entries = run.summary["credentials"]
    return {
        key: {name: entry.get(name) for name in ("status", "postings", "tests", "coverage", "alerts")}
        for key, entry in entries.items()
    }


async def month_rows(app, org_id: int, month: date) -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        found = await session.scalar(
            text(
                "SELECT coalesce(sum(postings), 0) FROM demand_rollup WHERE org_id = :org AND concept_id = ''"
                " AND day >= :lo AND day < :hi"
            ),
            {"org": org_id, "lo": month, "hi": date(month.year, month.month + 1, 1)},
        )
    return int(found)


async def rollup_rows(app, org_id: int) -> list[tuple]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        rows = await session.execute(
            text(
                "SELECT day, occupation_code, place_id, concept_id, concept_label, postings, required, preferred"
                " FROM demand_rollup WHERE org_id = :org ORDER BY day, occupation_code, place_id, concept_id"
            ),
            {"org": org_id},
        )
        return [tuple(row) for row in rows]


async def default_rows(app, org_id: int) -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        found = await session.scalar(
            text(
                f"SELECT coalesce(sum(postings), 0) FROM {SCHEMA}.demand_rollup_default"
                " WHERE org_id = :org AND concept_id = ''"
            ),
            {"org": org_id},
        )
    return int(found)


async def test_months_are_partitions_and_an_old_month_detaches(app, tenant, database_url):
    await make_credential(app, tenant.org_id, "Data cert", [CODE], {"Query data": ["SQL"]})
    await add_postings(app, tenant.org_id, planned(random.Random(3)))
    async with session_scope(app.state.engine) as session:
        months = {p.month for p in await partitions(session)}
    expected = {OLD} | {date(2018, m, 1) for m in range(11, 13)} | {date(2019, m, 1) for m in range(1, 13)}
    assert expected <= months and None in months  # a partition per month written, and the default
    assert await month_rows(app, tenant.org_id, OLD) == 40
    incremental = await rollup_rows(app, tenant.org_id)
    async with session_scope(app.state.engine) as session:
        await rebuild(session, tenant.org_id)
    assert await rollup_rows(app, tenant.org_id) == incremental  # rebuild == incremental, partitioned
    assert await default_rows(app, tenant.org_id) == 0  # every row in its month's partition

    before = await run_drift(app.state.engine, app.state.settings, tenant.org_id, AS_OF)
    assert sum(before.summary["alerts"].values()) >= 1  # Docker emerges: the run has something to say

    env = {**os.environ, "SKILLPULSE_DATABASE_URL": database_url, "COLUMNS": "200"}
    done = run_cli(env, "drift", "detach-month", "2018-03")
    assert done.returncode == 0, done.stderr
    name = f"{SCHEMA}.demand_rollup_2018_03"
    assert name in done.stderr
    try:
        assert await month_rows(app, tenant.org_id, OLD) == 0  # gone from every read ...
        async with session_scope(app.state.engine) as session:
            archived = await session.scalar(
                text(f"SELECT sum(postings) FROM {name} WHERE org_id = :org AND concept_id = ''"),
                {"org": tenant.org_id},
            )
            assert OLD not in {p.month for p in await partitions(session)}
        assert archived == 40  # ... and kept in the detached table to archive
        after = await run_drift(app.state.engine, app.state.settings, tenant.org_id, AS_OF)
        assert drift_view(after) == drift_view(before)
        assert after.summary["alerts"]["unchanged"] + after.summary["alerts"]["refreshed"] >= 1

        async with session_scope(app.state.engine) as session:  # the raw postings still hold the month
            await rebuild(session, tenant.org_id)
        assert await default_rows(app, tenant.org_id) == 40 == await month_rows(app, tenant.org_id, OLD)

        again = run_cli(env, "drift", "detach-month", "2018-03")
        assert again.returncode == 2 and "no partition" in again.stderr
        bad = run_cli(env, "drift", "detach-month", "2018-13")
        assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    finally:
        async with session_scope(app.state.engine) as session:
            await session.execute(text(f"DROP TABLE IF EXISTS {name}"))  # archived: dumped, then dropped
