"""Demand rollups kept by the worker and the delete path equal a rebuild from the raw mentions, at every step
of extract / re-extract / change / duplicate / delete; and they count each fingerprint once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import delete, func, select, text, update

from service.db import session_scope
from service.demand.models import DemandCanon, DemandConcept, DemandMention, DemandMonth, DemandRollup
from service.demand.rollup_rebuild import rebuild
from service.demand.rollup_store import upkeep_postings
from service.demand.rollups import TOTAL
from service.nlp_runner import NlpRunner
from service.postings.models import Posting
from service.postings.queue import requeue
from service.postings.services import delete_postings
from service.postings.worker import ExtractionWorker
from tests.support.demand_data import PlannedPosting, add_postings, concept_uri
from tests.support.postings import org_postings, posting_body

WAITING = text(
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
)
JAVA_HTML = "<p>Experience with Java and Kubernetes is required. Terraform preferred.</p>"


@pytest.fixture(scope="module")
def runner():
    pool = NlpRunner(1)
    yield pool
    pool.shutdown()


async def derived(session, org_id: int) -> tuple[list, list, list]:  # noqa: ANN001
    """The month rows, the mention index and the concepts, with concept ids for keys (a rebuild renumbers)."""
    name = {
        c.id: c.concept_id
        for c in await session.scalars(select(DemandConcept).where(DemandConcept.org_id == org_id))
    }
    months = sorted(
        (
            m.month,
            m.occupation_code,
            m.place_id,
            name.get(m.concept, TOTAL),
            m.postings,
            m.required,
            m.preferred,
        )
        for m in await session.scalars(select(DemandMonth).where(DemandMonth.org_id == org_id))
    )
    mentions = sorted(
        (name[m.concept], m.day, m.posting_id, m.occupation_code, m.place_id)
        for m in await session.scalars(select(DemandMention).where(DemandMention.org_id == org_id))
    )
    return (
        months,
        mentions,
        sorted(
            (c.concept_id, c.label)
            for c in await session.scalars(select(DemandConcept).where(DemandConcept.org_id == org_id))
        ),
    )


def months_of(days: list) -> list:
    """The day rows summed by month: what the month rows must hold."""
    out: dict[tuple, list[int]] = {}
    for r in days:
        key = (r["day"].replace(day=1), r["occupation_code"], r["place_id"], r["concept_id"])
        into = out.setdefault(key, [0, 0, 0])
        for i, name in enumerate(("postings", "required", "preferred")):
            into[i] += r[name]
    return sorted((*key, *counts) for key, counts in out.items())


async def snapshot(app, org_id: int) -> tuple[list, list, tuple]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        rollup = await session.execute(
            select(DemandRollup)
            .where(DemandRollup.org_id == org_id)
            .order_by(
                DemandRollup.day, DemandRollup.occupation_code, DemandRollup.place_id, DemandRollup.concept_id
            )
        )
        canon = await session.execute(
            select(DemandCanon).where(DemandCanon.org_id == org_id).order_by(DemandCanon.content_hash)
        )
        days, canons = [r.model_dump() for r in rollup.scalars()], [c.model_dump() for c in canon.scalars()]
        months, mentions, concepts = await derived(session, org_id)
    assert months == months_of(days)  # each month row is the sum of its days
    counted = {(c["posting_id"], c["day"], c["occupation_code"], c["place_id"]) for c in canons}
    assert {(pid, day, code, place) for _cid, day, pid, code, place in mentions} <= counted
    # a concept no longer counted keeps its key (a rebuild drops it): the counted ones must agree
    named = {r["concept_id"] for r in days}
    return days, canons, (months, mentions, [c for c in concepts if c[0] in named])


async def assert_rebuild_equals_incremental(app, org_id: int) -> list:  # noqa: ANN001
    incremental = await snapshot(app, org_id)
    async with session_scope(app.state.engine) as session:
        await rebuild(session, org_id)
    rebuilt = await snapshot(app, org_id)
    assert incremental == rebuilt
    async with session_scope(app.state.engine) as session:  # and the totals are one per fingerprint
        distinct = await session.scalar(
            select(func.count(func.distinct(Posting.content_hash))).where(
                Posting.org_id == org_id,
                Posting.extraction_status == "done",
                Posting.posted_at.is_not(None),
                Posting.occupation_code.is_not(None),
            )
        )
    totals = sum(r["postings"] for r in rebuilt[0] if r["concept_id"] == TOTAL)
    assert totals == distinct
    return rebuilt[0]


def postings_by_concept(rows: list) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        out[row["concept_id"]] = out.get(row["concept_id"], 0) + row["postings"]
    return out


async def test_rollups_follow_extract_reextract_change_duplicate_delete(api, app, tenant, runner):
    bodies = [
        posting_body(occupation="15-1232.00", posted_at="2026-03-02", region="Toledo, OH"),
        posting_body(occupation="15-1232.00", posted_at="2026-03-20", title="Help Desk Technician"),
        posting_body(occupation="15-1212.00", posted_at="2026-04-11", region="US-MI", html=JAVA_HTML),
        # the first one again on another board, later: counted once, at the first
        posting_body(source="other-board", occupation="15-1232.00", posted_at="2026-03-09", region="US-OH"),
    ]
    response = await api.post("/api/v1/postings", json={"postings": bodies})
    assert response.status_code == 201
    worker = ExtractionWorker(app.state.engine, runner, batch_size=2)
    await worker.drain()
    first = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert sum(r["postings"] for r in first if r["concept_id"] == TOTAL) == 3
    assert first and any(r["concept_id"] != TOTAL for r in first)

    async with session_scope(app.state.engine) as session:  # re-extract everything
        assert await requeue(session, version=None, org_id=tenant.org_id) == 4
    await worker.drain()
    assert await assert_rebuild_equals_incremental(app, tenant.org_id) == first

    # the same advert posted earlier elsewhere takes over the count; then a changed text is extracted again
    earlier = posting_body(source="third-board", occupation="15-1232.00", posted_at="2026-02-25")
    changed = dict(bodies[2], html="<p>Experience with Python and SQL required.</p>")
    await api.post("/api/v1/postings", json={"postings": [earlier, changed]})
    await worker.drain()
    moved = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert postings_by_concept(moved)[TOTAL] == 3
    assert {r["day"].isoformat()[:7] for r in moved} >= {"2026-02"}

    rows = {(p.source, p.external_id): p for p in await org_postings(app, tenant.org_id)}
    canonical = rows[("third-board", earlier["external_id"])].id
    async with session_scope(app.state.engine) as session:  # delete the counted one: the next takes over
        assert await delete_postings(session, tenant.org_id, [canonical]) == 1
    after = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert postings_by_concept(after) == postings_by_concept(moved)

    # delete every copy of the advert: it is no longer counted anywhere
    advert = rows[(bodies[0]["source"], bodies[0]["external_id"])].content_hash
    copies = [p.id for p in await org_postings(app, tenant.org_id) if p.content_hash == advert]
    async with session_scope(app.state.engine) as session:
        assert await delete_postings(session, tenant.org_id, copies) == len(copies) == 2
    gone = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert postings_by_concept(gone)[TOTAL] == 2


async def test_a_reposted_date_or_place_moves_the_count_without_a_new_extraction(api, app, tenant, runner):
    """Intake that changes only a posting's date or place (same text, same occupation) is not extracted again,
    so the rollups follow it at intake."""
    body = posting_body(occupation="15-1232.00", posted_at="2026-03-02", region="US-OH")
    assert (await api.post("/api/v1/postings", json={"postings": [body]})).status_code == 201
    worker = ExtractionWorker(app.state.engine, runner, batch_size=2)
    await worker.drain()
    before = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert {r["day"].isoformat()[:7] for r in before} == {"2026-03"}

    moved = dict(body, posted_at="2026-05-14", region="US-MI")
    assert (await api.post("/api/v1/postings", json={"postings": [moved]})).status_code in (200, 201)
    [stored] = [p for p in await org_postings(app, tenant.org_id) if p.external_id == body["external_id"]]
    assert stored.extraction_status == "done"  # not queued again: the text did not change
    after = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert {r["day"].isoformat()[:7] for r in after} == {"2026-05"}
    assert postings_by_concept(after) == postings_by_concept(before)


async def test_another_organisations_postings_are_not_deleted(api, app, tenant, other_tenant, runner):
    await api.post("/api/v1/postings", json=posting_body(occupation="15-1232.00"))
    await ExtractionWorker(app.state.engine, runner).drain()
    ids = [p.id for p in await org_postings(app, tenant.org_id)]
    async with session_scope(app.state.engine) as session:
        assert await delete_postings(session, other_tenant.org_id, ids) == 0
    assert [p.id for p in await org_postings(app, tenant.org_id)] == ids
    await assert_rebuild_equals_incremental(app, tenant.org_id)


@pytest.mark.postgres_only
async def test_two_writers_of_one_new_fingerprint_take_turns(app, tenant):
    """Two reposts finishing extraction at once in two transactions: the second waits for the first's
    fingerprint lock, then recounts from what it committed (without it, it would fail on demand_canon)."""
    digest = "e" * 64
    plans = [
        PlannedPosting(
            date(2025, 3, 9),
            "15-1232.00",
            [("SQL", "required")],
            content_hash=digest,
            extraction_status="pending",
        ),
        PlannedPosting(
            date(2025, 3, 3),
            "15-1232.00",
            [("SQL", "preferred")],
            content_hash=digest,
            extraction_status="pending",
        ),
    ]
    await add_postings(app, tenant.org_id, plans)
    later, earlier = [p.id for p in await org_postings(app, tenant.org_id) if p.content_hash == digest]
    engine = app.state.engine
    holding, release = asyncio.Event(), asyncio.Event()

    async def finish(posting_id: int, hold: bool) -> None:
        async with session_scope(engine) as session:
            await session.execute(
                update(Posting).where(Posting.id == posting_id).values(extraction_status="done")
            )
            await upkeep_postings(session, [posting_id])
            if hold:
                holding.set()
                await release.wait()

    first = asyncio.create_task(finish(later, hold=True))
    await holding.wait()
    second = asyncio.create_task(finish(earlier, hold=False))
    # wait until the second is blocked on the first's lock; each read in its own transaction, as PostgreSQL
    # keeps one snapshot of pg_stat_activity for a whole transaction
    async with asyncio.timeout(60), engine.connect() as conn:
        while not await conn.scalar(WAITING):  # noqa: ASYNC110 - polling the server, no event to wait on
            await conn.rollback()
            await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(first, second)
    rows = await assert_rebuild_equals_incremental(app, tenant.org_id)
    assert postings_by_concept(rows) == {TOTAL: 1, concept_uri("SQL"): 1}
    [sql] = [r for r in rows if r["concept_id"] == concept_uri("SQL")]
    assert (sql["day"], sql["required"], sql["preferred"]) == (
        date(2025, 3, 3),
        0,
        1,
    )  # the earlier one counts


async def test_rebuild_rollups_command_recounts_what_was_lost(app, tenant, database_url):
    plans = [
        PlannedPosting(date(2025, 3, 3), "15-1232.00", [("SQL", "required")]),
        PlannedPosting(date(2025, 4, 3), "15-1232.00", [("SQL", "preferred"), ("Linux", "required")]),
    ]
    await add_postings(app, tenant.org_id, plans)
    counted = await snapshot(app, tenant.org_id)
    async with session_scope(app.state.engine) as session:  # lost, as after a restore from an old backup
        await session.execute(delete(DemandRollup).where(DemandRollup.org_id == tenant.org_id))
    result = rebuild_cli(["--org", str(tenant.org_id)], database_url)
    assert result.returncode == 0, result.stderr
    assert "canonical postings: 2" in result.stderr and "2 postings counted, 5 rollup rows" in result.stderr
    assert await snapshot(app, tenant.org_id) == counted
    assert rebuild_cli(["--org", "no such organisation"], database_url).returncode == 2


def rebuild_cli(args: list[str], database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SKILLPULSE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "service", "drift", "rebuild-rollups", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
