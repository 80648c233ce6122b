"""Benchmark: scale-out on one PostgreSQL — 2 `serve` replicas and 1, 2, 4 `worker` processes.

For each worker count, a fresh database; two uvicorn replicas of the app (each with its scheduler on, the
nightly drift job firing every minute, so both replicas race for the same firings), `--workers` `skillpulse
worker` processes; `--count` synthetic postings (demo/synthetic.py) posted to the two replicas in turn.
Reports end-to-end postings/s per worker count and the speed-up over one worker, and checks on the database:
- every posting stored once and extracted once: a trigger the benchmark installs counts every write of
  `posting.extracted_at` (a posting extracted twice is written twice), and no mention is stored twice;
- no job ran twice: at most one scheduled drift run per organisation and minute across both replicas.

    .venv/bin/python bench/bench_scaleout.py                       # 20,000 postings, workers 1, 2, 4
    .venv/bin/python bench/bench_scaleout.py --count 5000 --workers 1 2

The machine's cores bound the speed-up: on 2 cores, 4 workers cannot beat 2.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_postings import _check, _progress, _token  # noqa: E402
from bench.cpu import cpu_seconds  # noqa: E402
from bench.support import create_database, drop_database, plain, start_server, wait_healthy  # noqa: E402
from demo.synthetic import generate_postings  # noqa: E402
from service.db import upgrade  # noqa: E402

BIN = Path(sys.executable).parent

EXTRACTION_WRITES = """
CREATE TABLE bench_extraction_write (posting_id bigint NOT NULL);
CREATE FUNCTION bench_count_extraction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bench_extraction_write VALUES (NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER bench_extraction_write AFTER UPDATE OF extracted_at ON posting FOR EACH ROW
  WHEN (NEW.extracted_at IS DISTINCT FROM OLD.extracted_at) EXECUTE FUNCTION bench_count_extraction();
"""


async def _intake(bases: list[str], token: str, count: int, batch: int) -> float:
    """Post the postings in batches, to the replicas in turn."""
    headers = {"Authorization": f"Bearer {token}"}
    clients = [httpx.AsyncClient(base_url=b, headers=headers, timeout=120) for b in bases]
    started = time.perf_counter()
    try:
        bodies: list[dict] = []
        turn = 0
        for posting in generate_postings(count, seed=11, give_occupation=True):
            bodies.append(posting.to_dict())
            if len(bodies) == batch:
                (
                    await clients[turn % len(clients)].post("/api/v1/postings", json={"postings": bodies})
                ).raise_for_status()
                bodies, turn = [], turn + 1
        if bodies:
            (
                await clients[turn % len(clients)].post("/api/v1/postings", json={"postings": bodies})
            ).raise_for_status()
    finally:
        for client in clients:
            await client.aclose()
    return time.perf_counter() - started


async def _job_and_extraction_checks(url: str) -> dict:
    conn = await asyncpg.connect(plain(url))
    try:
        writes = await conn.fetchrow(
            "SELECT count(*) AS writes, count(DISTINCT posting_id) AS postings FROM bench_extraction_write"
        )
        runs = await conn.fetchrow(
            "SELECT count(*) AS scheduled_runs, coalesce(max(n), 0) AS most_in_one_minute FROM ("
            " SELECT count(*) AS n FROM drift_run WHERE trigger = 'schedule'"
            " GROUP BY org_id, date_trunc('minute', started_at)) d"
        )
        return {**dict(writes), **dict(runs)}
    finally:
        await conn.close()


async def one_run(args: argparse.Namespace, workers: int) -> dict:
    name, url = await create_database()
    procs: list[subprocess.Popen] = []
    try:
        await asyncio.to_thread(upgrade, url)
        conn = await asyncpg.connect(plain(url))
        await conn.execute(EXTRACTION_WRITES)
        await conn.close()
        token = await _token(url)
        env = dict(
            os.environ,
            SKILLPULSE_DATABASE_URL=url,
            SKILLPULSE_RUN_WORKER="false",
            SKILLPULSE_RUN_SCHEDULER="true",
            SKILLPULSE_DRIFT_NIGHTLY_CRON="* * * * *",
            SKILLPULSE_DATABASE_POOL_SIZE="4",
            SKILLPULSE_LOG_LEVEL="WARNING",
            SKILLPULSE_POSTINGS_WORKER_POLL_SECONDS="0.5",
        )
        bases = []
        for _ in range(2):
            proc, base = start_server(env)
            procs.append(proc)
            bases.append(base)
        for base in bases:
            await asyncio.to_thread(wait_healthy, base)
        for _ in range(workers):
            procs.append(
                subprocess.Popen(  # noqa: S603, ASYNC220 - starting a process does not block
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
        watcher = await asyncpg.connect(plain(url))
        started = time.perf_counter()
        cpu_before = _cpu(procs, workers)
        intake = asyncio.create_task(_intake(bases, token, args.count, args.intake_batch))
        while True:
            await asyncio.sleep(2)
            total, pending, _ = await _progress(watcher)
            if intake.done() and pending == 0:
                break
            print(
                f"  {time.perf_counter() - started:7.1f} s  stored {total:>7}  pending {pending:>7}",
                flush=True,
            )
        elapsed = time.perf_counter() - started
        cpu_after = _cpu(procs, workers)
        await watcher.close()
        intake.result()
        stored = await _check(url)
        jobs = await _job_and_extraction_checks(url)
        ok = (
            stored["postings"] == stored["distinct_keys"] == stored["done"] == args.count
            and not stored["doubled_mentions"]
            and jobs["writes"] == jobs["postings"] == args.count
            and jobs["most_in_one_minute"] <= 1
        )
        return {
            "workers": workers,
            "replicas": 2,
            "count": args.count,
            "seconds": round(elapsed, 1),
            "end_to_end_per_second": round(args.count / elapsed, 1),
            # CPU per posting (worker processes with their NLP process; replicas): what a loaded machine's
            # wall clock hides
            **{
                f"{part}_cpu_ms_per_posting": round((after - before) / args.count * 1000, 2)
                for part, before, after in zip(("worker", "server"), cpu_before, cpu_after, strict=True)
            },
            "extraction_writes": jobs["writes"],
            "scheduled_drift_runs": jobs["scheduled_runs"],
            "most_drift_runs_in_one_minute": jobs["most_in_one_minute"],
            "doubled_mentions": stored["doubled_mentions"],
            "ok": ok,
        }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not args.keep:
            await drop_database(name)


def _cpu(procs: list[subprocess.Popen], workers: int) -> tuple[float, float]:
    """CPU seconds so far of the worker processes (with their NLP processes) and of the replicas (PostgreSQL's
    are left out: other clients of the same server would count)."""
    servers, extractors = procs[: len(procs) - workers], procs[len(procs) - workers :]
    return sum(cpu_seconds(p.pid) for p in extractors), sum(cpu_seconds(p.pid) for p in servers)


async def main(args: argparse.Namespace) -> None:
    results = []
    for workers in args.workers:
        print(f"{args.count} postings, 2 replicas, {workers} worker(s)", flush=True)
        result = await one_run(args, workers)
        results.append(result)
        print(json.dumps(result), flush=True)
    base = results[0]["end_to_end_per_second"]
    print(f"{'workers':>7} {'postings/s':>11} {'vs first':>9} {'checks':>7}")
    for r in results:
        rate = r["end_to_end_per_second"]
        print(f"{r['workers']:>7} {rate:>11.1f} {rate / base:>8.2f}x {'ok' if r['ok'] else 'FAILED':>7}")
    print(f"load average: {os.getloadavg()}; cores: {os.cpu_count()}")
    if args.json:
        print(json.dumps(results))
    if not all(r["ok"] for r in results):
        raise SystemExit("a check failed: see above")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--intake-batch", type=int, default=500)
    parser.add_argument(
        "--warmup", type=float, default=15.0, help="Seconds for the workers to load the model."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the throwaway databases.")
    parser.add_argument("--json", action="store_true", help="Also print all results as one JSON line.")
    asyncio.run(main(parser.parse_args()))
