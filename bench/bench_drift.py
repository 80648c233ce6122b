"""Benchmark: one drift run over a large organisation on PostgreSQL.

Loads (with COPY) about `--rows` posting-skill rows (default one million) spread over two years of
postings in 40 occupations, and `--credentials` credentials (default 500) with linked competencies, then
rebuilds the demand rollups from them (as `skillpulse drift rebuild-rollups` does), times `run_drift` for the
organisation (it reads the rollups) and the rollups' upkeep of a worker batch. Targets (issue #20): the
drift run ≤ 1 s at 1M rows, ≤ 5 s at 10M. The data are stationary
except one planted rise in four occupations, so the alerts printed should be emerging_skill ones for the
credentials that include that occupation, and nothing else.

    .venv/bin/python bench/bench_drift.py                    # 1,000,000 rows, 500 credentials
    .venv/bin/python bench/bench_drift.py --rows 100000      # a quicker run

The database: --database-url (postgresql+asyncpg://...), else a throwaway database on 127.0.0.1:5432 that is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.cpu import own_cpu_seconds
from service.auth.services import get_or_create_org
from service.db import create_engine, session_scope, upgrade
from service.demand.models import Alert
from service.demand.rollup_rebuild import rebuild
from service.demand.rollup_store import upkeep_postings
from service.demand.runs import run_drift
from service.demand.services import demand_series
from service.postings.batch_store import SKILL_COLUMNS
from service.postings.models import Posting
from service.settings import build_settings

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 6, 30)
MENTIONS_PER_POSTING = 8
CONCEPTS = 2000
PLANTED = CONCEPTS - 1  # the rarest concept, never linked to a competency


def occupations() -> list[str]:
    return [f"{11 + i // 10}-{1000 + 37 * i:04d}.{i % 3:02d}" for i in range(40)]


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def load(url: str, rows: int, credentials: int, seed: int) -> int:
    rng = random.Random(seed)
    occs = occupations()
    concept_uris = [f"http://data.europa.eu/esco/skill/bench-{i}" for i in range(CONCEPTS)]
    weights = [1.0 / (i + 1) ** 0.9 for i in range(CONCEPTS)]  # Zipf-like popularity
    settings = build_settings(database={"url": url})
    engine = create_engine(settings)
    async with session_scope(engine) as session:
        org, _ = await get_or_create_org(session, f"Bench {uuid.uuid4().hex[:6]}")
        org_id = org.id
    await engine.dispose()

    conn = await asyncpg.connect(plain(url))
    try:
        postings = 0
        start = AS_OF - timedelta(days=730)
        stamp = datetime.now(UTC)
        posting_rows = []
        skill_rows = []
        skill_id = 0
        previous: tuple | None = None
        while skill_id < rows:
            postings += 1
            pid = postings
            if previous is not None and pid % 20 == 0:
                # One in twenty is the previous advert again on another board, days later: same content, same
                # occupation and skills, so it must be counted once.
                occ, posted, chash, chosen = previous
                posted = min(posted + timedelta(days=rng.randrange(4)), AS_OF)
            else:
                occ_index = rng.randrange(len(occs))
                occ = occs[occ_index]
                posted = start + timedelta(days=rng.randrange(731))
                chash = hashlib.sha256(f"bench-{pid}".encode()).hexdigest()
                offset = occ_index * 13  # each occupation favours its own concepts
                chosen = sorted(
                    {
                        (cidx + offset) % CONCEPTS
                        for cidx in rng.choices(range(CONCEPTS), weights=weights, k=MENTIONS_PER_POSTING)
                    }
                )
                if occ_index < 4:  # planted drift: in four occupations one concept rises from 2% to 50%
                    recent = posted > AS_OF - timedelta(days=45)
                    if rng.random() < (0.5 if recent else 0.02):
                        chosen = sorted({*chosen, PLANTED})
            previous = (occ, posted, chash, chosen)
            if len(skill_rows) >= 500_000:  # in slices: ten million rows do not sit in memory at once
                await _copy(conn, posting_rows, skill_rows)
                posting_rows, skill_rows = [], []
            text = f"Bench posting {pid} for {occ}."
            posting_rows.append(
                (pid, org_id, "bench", f"b-{pid}", "Analyst", text, occ, posted, chash, "done", stamp, stamp)
            )
            for cidx in chosen:
                skill_id += 1
                skill_rows.append(
                    (
                        skill_id,
                        org_id,
                        pid,
                        0,
                        5,
                        "Bench",
                        "skill",
                        concept_uris[cidx],
                        f"concept {cidx}",
                        0.9,
                        "required" if cidx % 3 else "preferred",
                    )
                )
        await _copy(conn, posting_rows, skill_rows)
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('posting', 'id'), (SELECT max(id) FROM posting))"
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('posting_skill', 'id'),"
            " (SELECT max(id) FROM posting_skill))"
        )
        now = datetime.now(UTC)
        cred_rows, comp_rows, link_rows = [], [], []
        comp_id = 0
        for cid in range(1, credentials + 1):
            codes = rng.sample(occs, rng.randint(1, 3))
            codes = [c if rng.random() < 0.7 else c[:7] for c in codes]  # some as 6-digit SOC codes
            cred_rows.append(
                (
                    cid,
                    org_id,
                    f"Credential {cid}",
                    "",
                    "Certificate",
                    json.dumps(codes),
                    "en",
                    "json",
                    "{}",
                    now,
                    now,
                )
            )
            for position in range(8):
                comp_id += 1
                comp_rows.append(
                    (
                        comp_id,
                        org_id,
                        cid,
                        f"Competency {position} of credential {cid}",
                        position,
                        "",
                        now,
                        now,
                    )
                )
                for cidx in rng.sample(range(60), 2):
                    link_rows.append(
                        (
                            org_id,
                            comp_id,
                            concept_uris[cidx],
                            f"concept {cidx}",
                            0.9,
                            "concept",
                            rng.choice(["suggested", "confirmed", "confirmed", "rejected"]),
                            now,
                        )
                    )
        await conn.executemany(
            "INSERT INTO credential (id, org_id, name, description, type, occupations, language,"
            " source_format, extra,"
            " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10, $11)",
            cred_rows,
        )
        await conn.executemany(
            "INSERT INTO competency (id, org_id, credential_id, text, position, text_hash, created_at,"
            " updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            comp_rows,
        )
        await conn.executemany(
            "INSERT INTO competency_skill (org_id, competency_id, concept_id, concept_label, score, method,"
            " status,"
            " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            link_rows,
        )
        for table in ("credential", "competency"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        await conn.execute("ANALYZE")
        count = await conn.fetchval("SELECT count(*) FROM posting_skill")
        print(
            f"loaded {postings:,} postings, {count:,} posting-skill rows, {credentials} credentials, "
            f"{len(comp_rows):,} competencies, {len(link_rows):,} links"
        )
    finally:
        await conn.close()
    return org_id


async def _copy(conn: asyncpg.Connection, posting_rows: list[tuple], skill_rows: list[tuple]) -> None:
    await conn.copy_records_to_table(
        "posting",
        records=posting_rows,
        columns=[
            "id",
            "org_id",
            "source",
            "external_id",
            "title",
            "text",
            "occupation_code",
            "posted_at",
            "content_hash",
            "extraction_status",
            "created_at",
            "updated_at",
        ],
    )
    await conn.copy_records_to_table(
        "posting_skill",
        records=skill_rows,
        columns=["id", *SKILL_COLUMNS],
    )


async def time_rebuild(engine: AsyncEngine, org_id: int) -> float:
    """The demand rollups rebuilt from the loaded rows (`skillpulse drift rebuild-rollups`)."""
    started = time.perf_counter()
    async with session_scope(engine) as session:
        done = await rebuild(session, org_id)
    elapsed = time.perf_counter() - started
    print(
        f"rollups rebuilt in {elapsed:.1f} s: {done['canonical']:,} postings counted, "
        f"{done['rollup_rows']:,} rollup rows"
    )
    return elapsed


async def time_upkeep(engine: AsyncEngine, org_id: int, batches: int = 20, size: int = 64) -> float:
    """Rollup upkeep of one worker batch (retract and restore of `size` postings), seconds per batch."""
    async with session_scope(engine) as session:
        ids = list(
            await session.scalars(
                select(Posting.id).where(Posting.org_id == org_id).order_by(Posting.id).limit(batches * size)
            )
        )
    started = time.perf_counter()
    for i in range(0, len(ids), size):
        async with session_scope(engine) as session:
            await upkeep_postings(session, ids[i : i + size])
    per_batch = (time.perf_counter() - started) / max(1, len(ids) // size)
    print(f"rollup upkeep {per_batch * 1000:.1f} ms per batch of {size} postings")
    return per_batch


async def time_demand(engine: AsyncEngine, org_id: int, calls: int = 20) -> tuple[float, float]:
    """What GET /api/v1/demand computes (service.demand.services.demand_series, no HTTP), a year of months for
    one occupation at a time: median and worst of `calls`, in seconds."""
    codes = [code[:7] if i % 2 else code for i, code in enumerate(occupations())]
    times = []
    async with session_scope(engine) as session:
        for i in range(calls):
            started = time.perf_counter()
            await demand_series(
                session, org_id, [codes[i % len(codes)]], (), AS_OF - timedelta(days=364), AS_OF, None, 50
            )
            times.append(time.perf_counter() - started)
    times.sort()
    median, worst = times[len(times) // 2], times[-1]
    print(f"demand series: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms of {calls}")
    return median, worst


async def _backend_pids(engine: AsyncEngine) -> list[int]:
    async with session_scope(engine) as session:
        found = await session.scalars(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND backend_type = 'client backend'"
            )
        )
        return list(found)


def _pids_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of these processes so far, from /proc (a process gone counts 0)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def timed_run(engine: AsyncEngine, settings, org_id: int):  # noqa: ANN001, ANN201
    """One drift run: wall seconds and the CPU seconds of this process and of its database sessions (the
    shared machine's other work does not count in those)."""
    before = {pid: _pids_cpu([pid]) for pid in await _backend_pids(engine)}
    own = own_cpu_seconds()
    started = time.perf_counter()
    run = await run_drift(engine, settings, org_id, AS_OF, trigger="bench")
    elapsed = time.perf_counter() - started
    own = own_cpu_seconds() - own
    after = {pid: _pids_cpu([pid]) for pid in await _backend_pids(engine)}  # a session opened meanwhile: all
    cpu = (own, sum(used - before.get(pid, 0.0) for pid, used in after.items()))
    print(f"  drift run CPU: {cpu[0]:.2f} s in this process, {cpu[1]:.2f} s in its database sessions")
    return run, elapsed, cpu


async def time_run(url: str, org_id: int, skip_rebuild: bool = False) -> dict:
    settings = build_settings(database={"url": url})
    engine = create_engine(settings)
    try:
        rebuild_seconds = 0.0 if skip_rebuild else await time_rebuild(engine, org_id)
        run, elapsed, cpu = await timed_run(engine, settings, org_id)
        statuses: dict[str, int] = {}
        for entry in run.summary["credentials"].values():
            statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
        kinds: dict[str, int] = {}
        for entry in run.summary["credentials"].values():
            for kind, n in entry.get("alerts", {}).items():
                kinds[kind] = kinds.get(kind, 0) + n
        print(
            f"drift run {run.status} in {elapsed:.2f} s; credentials {statuses}; "
            f"alerts {run.summary['alerts']} "
            f"by kind {kinds}"
        )
        _run, again, cpu_again = await timed_run(engine, settings, org_id)
        print(f"rerun (alerts unchanged) in {again:.2f} s")
        async with session_scope(engine) as session:
            concepts = list(await session.scalars(select(Alert.concept_id).where(Alert.org_id == org_id)))
        planted = sum(1 for c in concepts if c and c.endswith(f"bench-{PLANTED}"))
        print(f"{len(concepts)} alerts in all, {planted} about the planted concept")
        upkeep = await time_upkeep(engine, org_id)
        demand_median, demand_worst = await time_demand(engine, org_id)
        return {
            "demand_median_ms": round(demand_median * 1000),
            "demand_worst_ms": round(demand_worst * 1000),
            "run_seconds": round(elapsed, 2),
            "rerun_seconds": round(again, 2),
            "run_cpu_seconds": [round(cpu[0], 2), round(cpu[1], 2)],
            "rerun_cpu_seconds": [round(cpu_again[0], 2), round(cpu_again[1], 2)],
            "rebuild_seconds": round(rebuild_seconds, 2),
            "upkeep_ms_per_batch": round(upkeep * 1000, 1),
            "status": run.status,
            "alerts": len(concepts),
            "planted_alerts": planted,
        }
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="posting-skill rows to load")
    parser.add_argument("--credentials", type=int, default=500)
    parser.add_argument(
        "--database-url", default=None, help="postgresql+asyncpg://… (default: throwaway database)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep", action="store_true", help="keep the throwaway database (its name is printed)"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as one final JSON line")
    parser.add_argument(
        "--org-id",
        type=int,
        default=None,
        help="with --database-url: time that organisation, loading nothing",
    )
    parser.add_argument(
        "--skip-rebuild", action="store_true", help="with --org-id: keep its rollups as they are"
    )
    args = parser.parse_args()
    name = None
    url = args.database_url
    if url is None:
        name = f"skillpulse_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        org_id = args.org_id
        if org_id is None:
            started = time.perf_counter()
            org_id = await load(url, args.rows, args.credentials, args.seed)
            print(f"load took {time.perf_counter() - started:.1f} s")
        figures = await time_run(url, org_id, args.skip_rebuild)
        if args.json:
            print(json.dumps({"rows": args.rows if args.org_id is None else None, **figures}))
    finally:
        if name and args.keep:
            print(f"kept database {name}")
        elif name:
            admin = await asyncpg.connect(ADMIN_URL)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
