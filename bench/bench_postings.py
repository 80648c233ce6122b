"""Benchmark: postings end to end on PostgreSQL: HTTP intake → extraction by worker processes → storage.

Generates `--count` postings (default 100,000) from our own templates (demo/synthetic.py), posts
them in batches to a real `uvicorn` server (the app, no in-process worker), while `--workers` (default 2)
`skillpulse worker` processes claim batches with FOR UPDATE SKIP LOCKED, extract skills and occupations and
store the mentions with COPY. Reports intake and end-to-end postings per second, and checks that every
posting was stored once and extracted once. Target: ≥ 150 postings/s end to end on the 2-core machine.

    .venv/bin/python bench/bench_postings.py                  # 100,000 postings, two workers
    .venv/bin/python bench/bench_postings.py --count 5000     # a quicker run

The database: --database-url (postgresql+asyncpg://...), else a throwaway database on 127.0.0.1:5432 that is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from demo.synthetic import generate_postings
from service.auth.services import create_user, get_or_create_org, issue_token
from service.db import create_engine, session_scope, upgrade
from service.settings import build_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.support import (  # noqa: E402
    ADMIN_URL,  # noqa: E402,F401
    start_server,
    wait_healthy,
)
from bench.support import create_database as _create_database  # noqa: E402
from bench.support import drop_database as _drop_database  # noqa: E402

BIN = Path(sys.executable).parent


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds so far) for every process we can read."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return table


def cpu_seconds(roots: list[int], extra: list[int]) -> float:
    """CPU time of the roots, all their descendants (extraction processes) and the extra pids (our PostgreSQL
    backends): the work the benchmark caused, whatever else the machine is busy with."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, stack = set(), [*roots, *extra]
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        stack.extend(children.get(pid, []))
    return sum(table[pid][1] for pid in seen)


def _breakdown(procs: list[subprocess.Popen], backends: list[int]) -> dict[str, float]:
    table = _proc_table()
    own = lambda pids: sum(table[p][1] for p in pids if p in table)  # noqa: E731
    workers = [p.pid for p in procs[1:]]
    children = [pid for pid, (ppid, _) in table.items() if ppid in workers]
    return {
        "server": own([procs[0].pid]),
        "workers": own(workers),
        "extraction": own(children),
        "postgres": own(backends),
        "client": own([os.getpid()]),
    }


async def _backend_pids(url: str, name: str) -> list[int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return [
            r["pid"] for r in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
        ]
    finally:
        await conn.close()


async def _token(url: str) -> str:
    settings = build_settings(database={"url": url})
    engine = create_engine(settings)
    try:
        async with session_scope(engine) as session:
            org, _ = await get_or_create_org(session, "Bench")
            user = await create_user(session, org, "bench@example.org", "designer")
            return (await issue_token(session, user, "bench")).token
    finally:
        await engine.dispose()


async def _progress(conn: asyncpg.Connection) -> tuple[int, int, int]:
    row = await conn.fetchrow(
        "SELECT count(*) AS total, count(*) FILTER (WHERE extraction_status = 'pending') AS pending, "
        "(SELECT count(*) FROM posting_skill) AS mentions FROM posting"
    )
    return row["total"], row["pending"], row["mentions"]


async def _check(url: str) -> dict:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return dict(
            await conn.fetchrow(
                "SELECT count(*) AS postings, count(DISTINCT (source, external_id)) AS distinct_keys, "
                "count(*) FILTER (WHERE extraction_status = 'done') AS done, "
                "count(*) FILTER (WHERE occupation_code IS NOT NULL) AS with_occupation, "
                "(SELECT count(*) FROM posting_skill) AS mentions, "
                '(SELECT count(*) FROM (SELECT posting_id, start, "end" FROM posting_skill '
                ' GROUP BY posting_id, start, "end" HAVING count(*) > 1) d) AS doubled_mentions FROM posting'
            )
        )
    finally:
        await conn.close()


async def _intake(base: str, token: str, count: int, batch: int, give_occupation: bool) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        bodies: list[dict] = []
        for posting in generate_postings(count, seed=11, give_occupation=give_occupation):
            bodies.append(posting.to_dict())
            if len(bodies) == batch:
                response = await client.post("/api/v1/postings", json={"postings": bodies})
                response.raise_for_status()
                bodies = []
        if bodies:
            (await client.post("/api/v1/postings", json={"postings": bodies})).raise_for_status()
    return time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    name = None
    url = args.database_url
    if not url:
        name, url = await _create_database()
    procs: list[subprocess.Popen] = []
    try:
        await asyncio.to_thread(upgrade, url)
        token = await _token(url)
        env = dict(
            os.environ,
            SKILLPULSE_DATABASE_URL=url,
            SKILLPULSE_RUN_WORKER="false",
            SKILLPULSE_RUN_SCHEDULER="false",
            SKILLPULSE_DATABASE_POOL_SIZE="4",
            SKILLPULSE_LOG_LEVEL="WARNING",
            SKILLPULSE_POSTINGS_WORKER_POLL_SECONDS="0.5",
        )
        if args.no_upkeep:  # what the demand rollups' upkeep costs: compare with a run without it
            env["SKILLPULSE_BENCH_SKIP_ROLLUP_UPKEEP"] = "1"
        server, base = start_server(env)
        procs.append(server)
        await asyncio.to_thread(wait_healthy, base)
        for _ in range(args.workers):
            procs.append(
                subprocess.Popen(  # noqa: S603
                    [
                        str(BIN / "skillpulse"),
                        "worker",
                        "--batch-size",
                        str(args.batch_size),
                        "--processes",
                        "1",
                    ],
                    env=env,
                    stderr=subprocess.DEVNULL,
                )
            )
        await asyncio.sleep(args.warmup)  # workers load the model before the clock starts
        db_name = url.rsplit("/", 1)[-1]
        roots = [os.getpid(), *(p.pid for p in procs)]
        backends = await _backend_pids(url, db_name)
        cpu_before = cpu_seconds(roots, backends)
        parts_before = _breakdown(procs, backends)
        print(
            f"{args.count} postings, {args.workers} workers, batch {args.batch_size}, intake batches of "
            f"{args.intake_batch}",
            flush=True,
        )
        watcher = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        started = time.perf_counter()
        intake_task = asyncio.create_task(
            _intake(base, token, args.count, args.intake_batch, not args.code_titles)
        )
        while True:
            await asyncio.sleep(2)
            total, pending, mentions = await _progress(watcher)
            elapsed = time.perf_counter() - started
            print(
                f"  {elapsed:7.1f} s  stored {total:>7}  extracted {total - pending:>7}  mentions {mentions:>8}",
                flush=True,
            )
            if intake_task.done() and pending == 0:
                break
        elapsed = time.perf_counter() - started
        await watcher.close()
        backends = sorted(set(backends) | set(await _backend_pids(url, db_name)))
        cpu_used = cpu_seconds(roots, backends) - cpu_before
        parts = {k: v - parts_before.get(k, 0.0) for k, v in _breakdown(procs, backends).items()}
        intake_seconds = intake_task.result()
        check = await _check(url)
        print(f"intake: {args.count / intake_seconds:.0f} postings/s ({intake_seconds:.1f} s)")
        print(f"end to end: {args.count / elapsed:.1f} postings/s ({elapsed:.1f} s for {args.count})")
        cores = os.cpu_count() or 1
        print(
            f"CPU: {cpu_used:.0f} CPU-seconds for the benchmark's own processes (server, workers, extraction, "
            f"PostgreSQL backends, this client) = {1000 * cpu_used / args.count:.1f} CPU-s per 1000 postings; "
            f"on {cores} otherwise idle cores that is {args.count * cores / cpu_used:.0f} postings/s"
        )
        print(
            "CPU-s per 1000 postings by part: "
            + ", ".join(f"{k} {1000 * v / args.count:.1f}" for k, v in parts.items())
        )
        print(f"load average during the run: {os.getloadavg()}")
        print(f"check: {check}")
        ok = (
            check["postings"] == check["distinct_keys"] == check["done"] == args.count
            and not check["doubled_mentions"]
        )
        print("every posting stored once and extracted once" if ok else "MISMATCH: see check above")
        if args.json:
            print(
                json.dumps(
                    {
                        "count": args.count,
                        "workers": args.workers,
                        "ok": ok,
                        "intake_per_second": round(args.count / intake_seconds, 1),
                        "end_to_end_per_second": round(args.count / elapsed, 1),
                        "seconds": round(elapsed, 1),
                        "cpu_s_per_1000": round(1000 * cpu_used / args.count, 1),
                        "cpu_s_per_1000_by_part": {
                            k: round(1000 * v / args.count, 2) for k, v in parts.items()
                        },
                        "upkeep": not args.no_upkeep,
                    }
                )
            )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if name and not args.keep:
            await _drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--intake-batch", type=int, default=500)
    parser.add_argument(
        "--warmup", type=float, default=8.0, help="Seconds for the workers to load the model."
    )
    parser.add_argument("--code-titles", action="store_true", help="Leave occupations to the title coder.")
    parser.add_argument(
        "--no-upkeep",
        action="store_true",
        help="Workers skip the demand rollups' upkeep (to measure its CPU share; the rollups are wrong after).",
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the throwaway database.")
    parser.add_argument("--json", action="store_true", help="Also print the figures as one final JSON line.")
    asyncio.run(main(parser.parse_args()))
