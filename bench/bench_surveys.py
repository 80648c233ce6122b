"""Benchmark: 10,000 employers submit their survey at once, through the real HTTP server, on PostgreSQL.

Sets up a survey generated from a 7-competency credential with every question on one page (so one POST is one
final submit of 15 answers), issues `--count` personal links, then POSTs the completed form for every link
with `--concurrency` requests in flight against `uvicorn --workers N --loop uvloop --http httptools` (the app
as deployed: CSRF, rate limits with the per-address one raised because every bench request comes from
127.0.0.1, the per-link one as configured, row locks, idempotent submit). Checks that every answer is a 200
thank-you page and that exactly `--count` responses, each with all its answers, are stored; reports responses
per second, latency percentiles, and CPU per submission of the server (the uvicorn workers), of the load
generator itself and of PostgreSQL (every postgres process on the machine, so other databases' work counts
too). Target: ≥ 500 responses/s on the 2-core machine.

The load generator is `bench.support.HttpClient`: real HTTP/1.1 over TCP, one keep-alive connection per
request in flight, the browser's urlencoded form body with the CSRF field and cookie and Accept-Encoding; it
spends about 0.1 ms CPU per submission (httpx spent more than the server did). On a machine shared with other
work the wall-clock figures move with the load average; the CPU per submission is the steadier figure.

    .venv/bin/python bench/bench_surveys.py                 # 10,000 submissions
    .venv/bin/python bench/bench_surveys.py --count 1000    # a quicker run
    .venv/bin/python bench/bench_surveys.py --count 5000 --baseline       # and the bare insert, same run
    .venv/bin/python bench/bench_surveys.py --rate 300 --seconds 60       # open loop (bench/open_loop.py)

The open loop (issue 20: p99 ≤ 100 ms at an offered 300 submissions/s for 60 s) starts each submission when it
is due whatever the earlier ones are doing, and checks that every accepted submission (a thank-you page) is
stored once; `--with-get` makes each one GET its link's page first. Round trips to PostgreSQL per GET and per
POST: `bench/pg_round_trips.py`.

The database: --database-url (postgresql+asyncpg://...), else a throwaway database on 127.0.0.1:5432 that is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cpu import CpuMeter  # noqa: E402
from bench.cpu import cpu_seconds as _cpu_seconds  # noqa: E402,F401 - bench/baseline_app.py imports it here
from bench.cpu import own_cpu_seconds as _own_cpu_seconds  # noqa: E402,F401 - as above
from bench.open_loop import run_open_loop  # noqa: E402
from bench.support import (  # noqa: E402
    ADMIN_URL,  # noqa: E402,F401
    HttpClient,  # noqa: E402
)
from bench.support import create_database as _create_database  # noqa: E402
from bench.support import drop_database as _drop_database  # noqa: E402
from bench.support import free_port as _free_port  # noqa: E402
from bench.support import plain as _plain  # noqa: E402
from service.auth.services import create_user, get_or_create_org, issue_token  # noqa: E402
from service.db import create_engine, session_scope, upgrade  # noqa: E402
from service.settings import build_settings  # noqa: E402

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _seed(url: str) -> tuple[str, int]:
    """A designer token and a credential with 7 competencies (written as the credentials API stores them)."""
    settings = build_settings(database={"url": url})
    engine = create_engine(settings)
    try:
        async with session_scope(engine) as session:
            org, _ = await get_or_create_org(session, "Bench college")
            user = await create_user(session, org, "bench@example.org", "designer")
            token = (await issue_token(session, user, "bench")).token
            org_id = org.id
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(_plain(url))
    try:
        now = datetime.now(UTC)
        credential_id = await conn.fetchval(
            "INSERT INTO credential (org_id, name, description, type, occupations, language, source_format, extra, "
            "created_at, updated_at) VALUES ($1, 'IT Support Certificate', '', 'Certificate', '[]', 'en', 'json', "
            "'{}', $2, $2) RETURNING id",
            org_id,
            now,
        )
        for i, text in enumerate(
            [
                "Configure and troubleshoot local area networks",
                "Write SQL queries to report on relational databases",
                "Install and secure Windows and Linux workstations",
                "Explain technical problems to non-technical users",
                "Document incidents in a ticketing system",
                "Apply basic cybersecurity hygiene",
                "Automate routine tasks with Python scripts",
            ]
        ):
            await conn.execute(
                "INSERT INTO competency (org_id, credential_id, text, position, text_hash, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, '', $5, $5)",
                org_id,
                credential_id,
                text,
                i,
                now,
            )
    finally:
        await conn.close()
    return token, credential_id


def _start_server(url: str, workers: int, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
    env.update(
        {
            "SKILLPULSE_DATABASE_URL": url,
            "SKILLPULSE_DATABASE_POOL_SIZE": "12",  # the baseline's 12 a worker (BASELINE_POOL); ×2 overflow ×2 workers
            "SKILLPULSE_SECRET_KEY": "bench-secret-key-0123456789",
            "SKILLPULSE_ENV": "test",
            "SKILLPULSE_RUN_SCHEDULER": "false",
            "SKILLPULSE_RUN_WORKER": "false",
            "SKILLPULSE_LOG_LEVEL": "WARNING",
            "SKILLPULSE_BASE_URL": f"http://127.0.0.1:{port}",
            # every bench request comes from 127.0.0.1; the per-link limit stays as configured
            "SKILLPULSE_SURVEYS_RATE_PER_ADDRESS": "100000000",
        }
    )
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "service.app:create_app",
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


async def _wait_healthy(base: str, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"server exited with {process.returncode}")
            try:
                if (await client.get(f"{base}/health", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("server did not become healthy")


async def _prepare(
    base: str, token: str, credential_id: int, count: int
) -> tuple[int, list[str], dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as api:
        survey = (
            (await api.post("/api/v1/surveys", json={"credential_id": credential_id}))
            .raise_for_status()
            .json()
        )
        for question in survey["questions"]:  # one page: one POST is one final submit
            (
                await api.patch(
                    f"/api/v1/surveys/{survey['id']}/questions/{question['id']}", json={"page": 1}
                )
            ).raise_for_status()
        survey = (await api.post(f"/api/v1/surveys/{survey['id']}/open")).raise_for_status().json()
        paths: list[str] = []
        for start in range(0, count, 1000):
            invitees = [
                {"employer": f"Employer {i}", "name": f"Contact {i}"}
                for i in range(start, min(start + 1000, count))
            ]
            issued = (
                (
                    await api.post(
                        f"/api/v1/surveys/{survey['id']}/invitations",
                        json={"invitees": invitees, "send_email": False},
                    )
                )
                .raise_for_status()
                .json()
            )
            paths += ["/s/" + item["token"] for item in issued]
    answers: dict[str, object] = {}
    for question in survey["questions"]:
        code = f"q_{question['code']}"
        if question["kind"] == "text":
            answers[code] = "Troubleshooting printers and SQL queries"
        elif question["kind"] == "number":
            answers[code] = "3"
        elif question["kind"] == "multiple":
            answers[code] = [question["options"][0]["value"]]
        else:
            answers[code] = question["options"][0]["value"]
    return survey["id"], paths, answers


async def _form_request(base: str, path: str, answers: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    """The browser's final-submit body (urlencoded, with the CSRF field) and headers (the CSRF cookie,
    Accept-Encoding), from one GET of a link's page."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    first = await HttpClient(host, int(port)).request("GET", path)  # the CSRF cookie and its form field
    match = CSRF.search(first.text())
    csrf = match.group(1) if match else ""
    cookies = "; ".join(
        c.split(";", 1)[0] for c in first.headers.get("set-cookie", "").split("\n") if "=" in c
    )
    fields = {"_csrf_token": csrf, "page": "1", "lang": "en", "action": "submit", **answers}
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "accept": "text/html",
        "accept-encoding": "gzip, deflate",
        **({"cookie": cookies} if cookies else {}),
    }
    return urlencode(fields, doseq=True).encode(), headers


async def _submit_all(
    base: str, paths: list[str], answers: dict[str, object], concurrency: int, expect: str = "Thank you"
) -> tuple[list[float], float, dict[int, int]]:
    """POST the completed form once per link, `concurrency` keep-alive connections at once (a closed loop).

    Real HTTP/1.1 over TCP with the browser's form body (urlencoded, CSRF field and cookie) and
    Accept-Encoding; each answer's status is counted, and a 200 counts only when its page is the thank-you
    page (`expect`).
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    body, headers = await _form_request(base, paths[0], answers)
    marker = expect.encode()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    retries = [0]
    queue = iter(paths)

    async def worker() -> None:
        client = HttpClient(host, int(port), headers)
        try:
            for path in queue:
                started = time.perf_counter()
                for attempt in range(5):
                    try:
                        response = await client.request("POST", path, body)
                        break
                    except (ConnectionError, OSError):
                        # A dropped connection: send the same submit again, as a browser retry would; the
                        # server stores it once either way (that is what the final count checks).
                        retries[0] += 1
                        if attempt == 4:
                            raise
                latencies.append(time.perf_counter() - started)
                status = response.status
                if status == 200 and marker not in response.text().encode():
                    status = 0  # shown as "0": a 200 that is not the expected page
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if retries[0]:
        statuses[-1] = retries[0]  # shown as "-1": requests retried after a dropped connection
    return latencies, time.perf_counter() - started, statuses


async def _time_reports(base: str, token: str, survey_id: int) -> dict[str, float]:
    """How long the designer waits for the results and the exports of all these responses."""
    times: dict[str, float] = {}
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300
    ) as api:
        for name in ("results", "responses.csv", "responses.xlsx"):
            started = time.perf_counter()
            (await api.get(f"/api/v1/surveys/{survey_id}/{name}")).raise_for_status()
            times[name] = time.perf_counter() - started
    return times


async def _verify(url: str, survey_id: int) -> tuple[int, int, int]:
    conn = await asyncpg.connect(_plain(url))
    try:
        submitted = await conn.fetchval(
            "SELECT count(*) FROM survey_response WHERE survey_id = $1 AND status = 'submitted'", survey_id
        )
        answers = await conn.fetchval(
            "SELECT count(*) FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
            "WHERE r.survey_id = $1",
            survey_id,
        )
        questions = await conn.fetchval(
            "SELECT count(*) FROM survey_question WHERE survey_id = $1", survey_id
        )
        return submitted, answers, questions
    finally:
        await conn.close()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="submissions (default 10,000)")
    parser.add_argument("--concurrency", type=int, default=200, help="requests in flight (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    parser.add_argument(
        "--rate",
        type=float,
        help="open loop: offered submissions a second (instead of --count/--concurrency)",
    )
    parser.add_argument("--seconds", type=float, default=60, help="open loop: how long (default 60)")
    parser.add_argument(
        "--with-get", action="store_true", help="open loop: each submission GETs its page first"
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="then the bare baseline (bench/baseline_app.py) closed loop, same count, concurrency and workers",
    )
    parser.add_argument("--database-url", help="postgresql+asyncpg://… (default: a throwaway database)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one final JSON line")
    return parser.parse_args()


def _cpu_line(figures: dict) -> str:
    return (
        f"CPU per submission: server {figures['server_cpu_ms']:.2f} ms, load generator "
        f"{figures['client_cpu_ms']:.2f} ms, PostgreSQL {figures['database_cpu_ms']:.2f} ms (every postgres "
        f"process on the machine; this database's backends {figures['own_database_cpu_ms']:.2f} ms) (load "
        f"average during the run: {figures['load_average']:.1f} on "
        f"{os.cpu_count()} cores)"
    )


async def _closed_loop(
    args: argparse.Namespace, base: str, pid: int, paths: list[str], answers: dict
) -> dict:
    meter = CpuMeter(pid, url_database(args))
    latencies, elapsed, statuses = await _submit_all(base, paths, answers, args.concurrency)
    figures = meter.per_submission_ms(args.count)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    retried = statuses.pop(-1, 0)
    print(f"HTTP statuses: {dict(sorted(statuses.items()))}; retried after a dropped connection: {retried}")
    figures.update(
        mode="closed",
        count=args.count,
        concurrency=args.concurrency,
        per_second=round(args.count / elapsed, 1),
        p50_ms=round(pct(50), 1),
        p95_ms=round(pct(95), 1),
        p99_ms=round(pct(99), 1),
        accepted=statuses.get(200, 0),
        retried=retried,
        load_average=round(os.getloadavg()[0], 1),
    )
    print(f"throughput: {figures['per_second']:.0f} responses/s ({elapsed:.1f} s)")
    print(_cpu_line(figures))
    print(
        f"latency: p50 {pct(50):.0f} ms, p95 {pct(95):.0f} ms, p99 {pct(99):.0f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.0f} ms"
    )
    return figures


async def _open_loop(args: argparse.Namespace, base: str, pid: int, paths: list[str], answers: dict) -> dict:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    body, headers = await _form_request(base, paths[0], answers)
    meter = CpuMeter(pid, url_database(args))
    run = await run_open_loop(
        host, int(port), paths, body, headers, args.rate, args.seconds, b"Thank you", args.with_get
    )
    figures = meter.per_submission_ms(run.scheduled)
    figures.update(
        mode="open",
        offered_per_second=args.rate,
        seconds=args.seconds,
        with_get=args.with_get,
        count=run.scheduled,
        per_second=round(run.accepted / run.elapsed, 1),
        p50_ms=round(run.percentile(50), 1),
        p95_ms=round(run.percentile(95), 1),
        p99_ms=round(run.percentile(99), 1),
        accepted=run.accepted,
        errors=run.errors,
        late_starts=run.late_starts,
        most_in_flight=run.most_in_flight,
        load_average=round(os.getloadavg()[0], 1),
    )
    print(
        f"open loop: offered {args.rate:g}/s for {args.seconds:g} s ({run.scheduled} submissions"
        f"{', each after a GET of its page' if args.with_get else ''}); achieved "
        f"{figures['per_second']:.1f} accepted/s; HTTP statuses {dict(sorted(run.statuses.items()))} "
        f"(-1: dropped connection, 0: not the thank-you page); errors {run.errors}; most in flight "
        f"{run.most_in_flight}; started late by the generator (> 10 ms) {run.late_starts}"
    )
    print(
        f"latency from the due time: p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, "
        f"p99 {figures['p99_ms']:.0f} ms"
    )
    print(_cpu_line(figures))
    return figures


def url_database(args: argparse.Namespace) -> str:
    """The benchmark database's name (its backends' CPU is measured apart from the rest of the server's)."""
    return args.database_url.rsplit("/", 1)[-1].split("?", 1)[0]


async def _run(args: argparse.Namespace, url: str) -> dict:
    args.database_url = url
    await asyncio.to_thread(upgrade, url)
    token, credential_id = await _seed(url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    count = int(args.rate * args.seconds) if args.rate else args.count
    process = _start_server(url, args.workers, port)
    try:
        await _wait_healthy(base, process)
        survey_id, paths, answers = await _prepare(base, token, credential_id, count)
        print(f"{len(paths)} personal links issued, {args.workers} uvicorn workers…", flush=True)
        loop = _open_loop if args.rate else _closed_loop
        figures = await loop(args, base, process.pid, paths, answers)
        submitted, stored_answers, questions = await _verify(url, survey_id)
        if not args.rate:
            report_times = await _time_reports(base, token, survey_id)
            print("designer reports: " + ", ".join(f"{n} {s:.2f} s" for n, s in report_times.items()))
    finally:
        process.terminate()
        process.wait(timeout=30)
    # every accepted submission stored once, nothing stored twice (a dropped connection may have been stored)
    dropped = figures.get("errors", 0)
    figures["stored"] = submitted
    figures["ok"] = (
        figures["accepted"] <= submitted <= figures["accepted"] + dropped
        and stored_answers == submitted * questions
        and (bool(args.rate) or figures["accepted"] == count)
    )
    print(
        f"stored: {submitted} submitted responses for {figures['accepted']} thank-you pages, {stored_answers} "
        f"answers (expected {submitted * questions})"
    )
    return figures


async def main() -> None:
    args = _arguments()
    name, url = (None, args.database_url) if args.database_url else await _create_database()
    try:
        figures = await _run(args, url)
        if args.baseline:
            from bench.baseline_app import measure

            baseline = await measure(url, args.count, args.concurrency, args.workers)
            figures["baseline"] = baseline
            figures["ratio"] = round(figures["per_second"] / baseline["per_second"], 2)
            print(
                f"baseline (closed loop, same count, concurrency and workers): {baseline['per_second']:.0f}/s, "
                f"p99 {baseline['p99_ms']:.0f} ms, CPU each: server {baseline['server_cpu_ms']:.2f} ms, this "
                f"database's backends {baseline['own_database_cpu_ms']:.2f} ms "
                f"(load average {baseline['load_average']:.1f}); survey form ÷ baseline: {figures['ratio']:.2f}"
            )
    finally:
        if name is not None:
            await _drop_database(name)
    ok = figures["ok"] and figures.get("baseline", {}).get("ok", True)
    print(
        "OK: exactly one stored response per accepted submission"
        if ok
        else "FAILED: stored count does not match"
    )
    if args.json:
        print(json.dumps(figures))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    try:
        import uvloop  # the load generator's own event loop: uvicorn[standard] installs it
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
