"""Baseline for the survey benchmark: a bare Litestar app whose form POST does one asyncpg INSERT.

The survey figure alone says little on a shared 2-core machine; the same load generator, concurrency and
uvicorn worker count against the thinnest possible "store a form" endpoint says how much of the ceiling the
real survey form (CSRF, rate limits, row locks, validation, idempotent submit) uses. The figure is the ratio
survey responses/s ÷ baseline responses/s, measured in the same run (`python -m bench` does both). It also
reports the server's and the load generator's CPU per submission: the floor a form POST costs in this stack.

    .venv/bin/python bench/baseline_app.py --count 10000 --concurrency 200 --workers 2 [--json]

As the uvicorn app: `uvicorn --factory bench.baseline_app:create_app` with BASELINE_DATABASE_URL set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import asyncpg
from litestar import Litestar, MediaType, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TABLE = (
    "CREATE TABLE IF NOT EXISTS baseline_submission "
    "(id bigserial PRIMARY KEY, token text NOT NULL, answers jsonb NOT NULL)"
)
FORM = '<form method="post"><input type="hidden" name="_csrf_token" value="baseline"></form>'


@get("/health", media_type=MediaType.TEXT)
async def health() -> str:
    return "ok"


@get("/s/{token:str}", media_type=MediaType.HTML)
async def show(token: str) -> str:
    return FORM


@post("/s/{token:str}", media_type=MediaType.TEXT, status_code=200)
async def submit(
    token: str,
    request: Request,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> str:
    pool: asyncpg.Pool = request.app.state.pool
    await pool.execute(
        "INSERT INTO baseline_submission (token, answers) VALUES ($1, $2::jsonb)", token, json.dumps(data)
    )
    return "thank you"


def create_app() -> Litestar:
    url = os.environ["BASELINE_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")

    async def open_pool(app: Litestar) -> None:
        # as many connections per worker as the survey bench's server may open (pool 6 + overflow 6)
        app.state.pool = await asyncpg.create_pool(
            url, min_size=2, max_size=int(os.environ.get("BASELINE_POOL", "12"))
        )

    async def close_pool(app: Litestar) -> None:
        await app.state.pool.close()

    return Litestar([health, show, submit], on_startup=[open_pool], on_shutdown=[close_pool])


async def measure(url: str, count: int, concurrency: int, workers: int) -> dict:
    """Start the baseline under uvicorn on `url`, submit `count` forms with bench_surveys' load generator."""
    from bench.bench_surveys import (
        _cpu_seconds,
        _free_port,
        _own_cpu_seconds,
        _plain,
        _submit_all,
        _wait_healthy,
    )

    conn = await asyncpg.connect(_plain(url))
    try:
        await conn.execute(TABLE)
        await conn.execute("TRUNCATE baseline_submission")
    finally:
        await conn.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BASELINE_DATABASE_URL": url}
    process = subprocess.Popen(  # noqa: S603, ASYNC220 - our own interpreter; started once, not awaited
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.baseline_app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-keep-alive",
            "60",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        await _wait_healthy(base, process)
        paths = [f"/s/baseline-{i}" for i in range(count)]
        answers = {f"q_{i}": "3" for i in range(14)} | {"q_text": "Troubleshooting printers and SQL queries"}
        database = url.rsplit("/", 1)[-1]
        cpu_before, client_before = _cpu_seconds(process.pid), _own_cpu_seconds()
        database_before = _cpu_seconds(command="postgres", database=database)
        latencies, elapsed, statuses = await _submit_all(
            base, paths, answers, concurrency, expect="thank you"
        )
        server_cpu = _cpu_seconds(process.pid) - cpu_before
        client_cpu = _own_cpu_seconds() - client_before
        database_cpu = _cpu_seconds(command="postgres", database=database) - database_before
    finally:
        process.terminate()
        process.wait(timeout=30)
    conn = await asyncpg.connect(_plain(url))
    try:
        stored = await conn.fetchval("SELECT count(DISTINCT token) FROM baseline_submission")
        await conn.execute("DROP TABLE baseline_submission")
    finally:
        await conn.close()
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    statuses.pop(-1, 0)
    return {
        "count": count,
        "concurrency": concurrency,
        "workers": workers,
        "per_second": round(count / elapsed, 1),
        "p50_ms": round(pct(50), 1),
        "p99_ms": round(pct(99), 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "server_cpu_ms": round(server_cpu / count * 1000, 2),
        "client_cpu_ms": round(client_cpu / count * 1000, 2),
        "own_database_cpu_ms": round(database_cpu / count * 1000, 2),  # this database's backends
        "load_average": round(os.getloadavg()[0], 1),
        "ok": stored == count and statuses.get(200) == count,
    }


async def main() -> None:
    from bench.bench_surveys import _create_database, _drop_database

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="postgresql+asyncpg://… (default: a throwaway database)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one final JSON line")
    args = parser.parse_args()
    name, url = (None, args.database_url) if args.database_url else await _create_database()
    try:
        figures = await measure(url, args.count, args.concurrency, args.workers)
    finally:
        if name:
            await _drop_database(name)
    print(
        f"baseline (Litestar + asyncpg INSERT, {args.workers} uvicorn workers, "
        f"{args.concurrency} in flight): {figures['per_second']:.0f} submissions/s, "
        f"p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, server CPU "
        f"{figures['server_cpu_ms']:.2f} ms, load generator {figures['client_cpu_ms']:.2f} ms and the "
        f"database's backends {figures['own_database_cpu_ms']:.2f} ms per submission "
        f"(load average {figures['load_average']:.1f}); "
        f"{'all stored' if figures['ok'] else 'MISMATCH in stored rows'}"
    )
    if args.json:
        print(json.dumps(figures))
    if not figures["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    try:
        import uvloop  # the load generator's own event loop, as in bench_surveys
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
