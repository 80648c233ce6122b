"""Benchmark: does a burst of password sign-ins stall the server? (issue #16: argon2 on the event loop took
`/health` from 7 ms to a median of 3.9 s during 20 concurrent wrong sign-ins.)

Starts `skillpulse serve` on loopback (test mode: no NLP pool; a fresh SQLite file, or --database-url),
creates a user through the CLI, measures `/health` alone, then sends `--burst` concurrent wrong sign-ins
through the login form (CSRF token and cookie as a browser sends them; distinct unknown e-mails, so every one
runs a full argon2 check and none is throttled) while a prober GETs `/health` every 20 ms. Reports `/health`
p50 / p99 / max alone and during the burst, and how long the burst took. Target: p99 during the burst < 100 ms.

    .venv/bin/python -m bench.bench_signin_burst [--burst 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.support import free_port

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"n={len(ms)} p50={statistics.median(ms):.1f} ms p99={_percentile(ms, 0.99):.1f} ms max={max(ms):.1f} ms"


async def _wrong_sign_in(base: str, n: int) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        form = await client.get("/app/login")
        token = CSRF.search(form.text).group(1)
        answer = await client.post(
            "/app/login",
            data={"email": f"nobody-{n}@example.org", "password": "wrong-password", "_csrf_token": token},
        )
        return answer.status_code


async def _probe(base: str, stop: asyncio.Event) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get("/health")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)
    return latencies


async def _measure(base: str, burst: int, rounds: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        alone = []
        for _ in range(50):
            started = time.perf_counter()
            await client.get("/health")
            alone.append(time.perf_counter() - started)
    print(f"/health alone:        {_summary(alone)}")
    during: list[float] = []
    for r in range(rounds):
        stop = asyncio.Event()
        prober = asyncio.create_task(_probe(base, stop))
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        statuses = await asyncio.gather(*(_wrong_sign_in(base, r * burst + i) for i in range(burst)))
        took = time.perf_counter() - started
        stop.set()
        during += await prober
        print(f"round {r + 1}: {burst} wrong sign-ins in {took:.2f} s, statuses {sorted(set(statuses))}")
    print(f"/health during burst: {_summary(during)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
        env.update(
            SKILLPULSE_ENV="test",
            SKILLPULSE_DATABASE_URL=args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db",
            SKILLPULSE_RUN_WORKER="false",
            SKILLPULSE_RUN_SCHEDULER="false",
            SKILLPULSE_AUTH_ADDRESS_MAX_FAILURES="100000",
            SKILLPULSE_LOG_LEVEL="WARNING",
        )
        cli = [sys.executable, "-m", "service"]
        subprocess.run([*cli, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [
                *cli,
                "users",
                "create",
                "--org",
                "Bench",
                "--email",
                "bench@example.org",
                "--role",
                "admin",
                "--password",
                "bench-password",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,  # noqa: S603
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("serve did not start") from None
                    time.sleep(0.3)
            print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
            asyncio.run(_measure(base, args.burst, args.rounds))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
