"""Profile the survey form's submit inside the server: where a submission's CPU goes in the request path.

Starts the app in one uvicorn process (uvloop, httptools, no access log: as bench_surveys.py) under cProfile,
issues `--count` personal links, then turns the profiler on (SIGUSR1) only for the submissions, POSTs them with
bench_surveys' load generator (closed loop, `--concurrency` in flight), stops the server cleanly (SIGINT) and
prints the functions with the most cumulative and own time, per submission. The stats file stays for
`python -m pstats` or snakeviz.

    .venv/bin/python bench/profile_surveys.py --count 3000 --concurrency 50 [--out /tmp/survey.prof]

`--baseline` profiles bench/baseline_app.py's bare insert instead, for the same count.
The database is a throwaway one on 127.0.0.1:5432, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def serve(factory: str, port: int, out: str) -> None:
    """The server side: uvicorn in this process, profiled from SIGUSR1 until shutdown."""
    import uvicorn

    profiler = cProfile.Profile()
    signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())
    config = uvicorn.Config(
        factory,
        factory=True,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=60,
    )
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT once it has shut down cleanly
        pass
    finally:
        profiler.disable()
        profiler.dump_stats(out)


async def _drive(args: argparse.Namespace) -> None:
    from bench import bench_surveys as bs
    from bench.baseline_app import TABLE

    name, url = await bs._create_database()
    try:
        await asyncio.to_thread(bs.upgrade, url)
        token, credential_id = await bs._seed(url)
        port = bs._free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
        env.update(
            SKILLPULSE_DATABASE_URL=url,
            SKILLPULSE_SECRET_KEY="bench-secret-key-0123456789",
            SKILLPULSE_ENV="test",
            SKILLPULSE_RUN_SCHEDULER="false",
            SKILLPULSE_RUN_WORKER="false",
            SKILLPULSE_LOG_LEVEL="WARNING",
            SKILLPULSE_BASE_URL=base,
            SKILLPULSE_SURVEYS_RATE_PER_ADDRESS="100000000",
            BASELINE_DATABASE_URL=url,
        )
        factory = "bench.baseline_app:create_app" if args.baseline else "service.app:create_app"
        command = [sys.executable, __file__, "--serve", factory, "--port", str(port), "--out", args.out]
        process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603, ASYNC220 - our own interpreter
        try:
            await bs._wait_healthy(base, process)
            if args.baseline:
                conn = await bs.asyncpg.connect(bs._plain(url))
                await conn.execute(TABLE)
                await conn.close()
                paths = [f"/s/baseline-{i}" for i in range(args.count)]
                answers: dict = {f"q_{i}": "3" for i in range(14)} | {"q_text": "Troubleshooting printers"}
                expect = "thank you"
            else:
                _, paths, answers = await bs._prepare(base, token, credential_id, args.count + 1)
                paths, expect = paths[1:], "Thank you"  # the first link gives the form's CSRF field
            process.send_signal(signal.SIGUSR1)
            await asyncio.sleep(0.2)
            _, elapsed, statuses = await bs._submit_all(base, paths, answers, args.concurrency, expect)
            print(f"{args.count} submissions in {elapsed:.1f} s, statuses {statuses}", flush=True)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    finally:
        await bs._drop_database(name)
    stats = pstats.Stats(args.out)
    print(f"profiled CPU per submission: {stats.total_tt / args.count * 1000:.2f} ms")  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--baseline", action="store_true", help="profile the bare insert instead")
    parser.add_argument("--out", default="/tmp/skillpulse_survey.prof", help="the cProfile stats file")
    parser.add_argument("--top", type=int, default=45, help="rows of each table")
    parser.add_argument("--serve", metavar="FACTORY", help=argparse.SUPPRESS)  # the server side
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.out)
        return
    import uvloop

    uvloop.run(_drive(args))


if __name__ == "__main__":
    main()
