"""Benchmark: `GET /api/v1/demand` over HTTP against a database loaded by bench/bench_drift.py (`--keep`).

Starts the app under uvicorn on loopback (no worker, no scheduler), signs a viewer token into the
organisation with the most postings, and asks for a year of monthly demand, one occupation at a time (the
bench's occupations in turn, every other one as its 6-digit SOC code, which also counts its O*NET children),
`--calls` times after `--warmup` unmeasured calls. Prints the median, p95 and worst latency. Target (issue
#20): p95 <= 200 ms at 10M posting-skill rows.

    .venv/bin/python bench/bench_drift.py --rows 10000000 --keep      # prints the kept database's name
    .venv/bin/python bench/bench_demand_api.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/NAME
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from service.auth.models import Organisation
from service.auth.services import create_user, issue_token
from service.db import create_engine, session_scope
from service.postings.models import Posting
from service.settings import build_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_drift import AS_OF, occupations  # noqa: E402
from bench.support import start_server, wait_healthy  # noqa: E402


async def viewer_token(url: str) -> str:
    """A viewer's API token in the organisation with the most postings."""
    engine = create_engine(build_settings(database={"url": url}))
    try:
        async with session_scope(engine) as session:
            org_id = await session.scalar(
                select(Posting.org_id).group_by(Posting.org_id).order_by(func.count().desc()).limit(1)
            )
            org = await session.get(Organisation, org_id)
            user = await create_user(session, org, f"bench-{uuid.uuid4().hex[:6]}@example.org", "viewer")
            return (await issue_token(session, user, "bench")).token
    finally:
        await engine.dispose()


def measure(base: str, token: str, calls: int, warmup: int) -> list[float]:
    codes = [code[:7] if i % 2 else code for i, code in enumerate(occupations())]
    start = (AS_OF - timedelta(days=364)).isoformat()
    times: list[float] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for i in range(warmup + calls):
            params = {"occupation": codes[i % len(codes)], "from": start, "to": AS_OF.isoformat()}
            began = time.perf_counter()
            answer = client.get("/api/v1/demand/", params=params)
            elapsed = time.perf_counter() - began
            if answer.status_code != 200:
                raise SystemExit(f"GET /api/v1/demand answered {answer.status_code}: {answer.text[:300]}")
            if i >= warmup:
                times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="postgresql+asyncpg://… loaded by bench_drift")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="also print the figures as one final JSON line")
    args = parser.parse_args()
    token = asyncio.run(viewer_token(args.database_url))
    env = dict(
        os.environ,
        SKILLPULSE_DATABASE_URL=args.database_url,
        SKILLPULSE_RUN_WORKER="false",
        SKILLPULSE_RUN_SCHEDULER="false",
        SKILLPULSE_LOG_LEVEL="WARNING",
    )
    server, base = start_server(env)
    try:
        wait_healthy(base)
        times = sorted(measure(base, token, args.calls, args.warmup))
    finally:
        server.terminate()
        server.wait(timeout=30)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    figures = {
        "calls": len(times),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "worst_ms": round(times[-1] * 1000, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"GET /api/v1/demand, a year of months for one occupation, {len(times)} calls: median "
        f"{figures['median_ms']} ms, p95 {figures['p95_ms']} ms, worst {figures['worst_ms']} ms "
        f"(load average {figures['load_average']})"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
