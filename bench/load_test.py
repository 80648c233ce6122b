"""Load test on loopback: employers filling in the public survey form and API clients reading alerts, at once,
for a bounded time (60 s by default) against the real server (uvicorn, PostgreSQL).

Each form user opens a personal link (GET) and submits the completed one-page form (POST); each API user lists
alerts (open ones, then all). Reports requests/s, error rate and p50/p99 per kind, and checks afterwards that
every submission the server accepted is stored exactly once with all its answers.

    .venv/bin/python bench/load_test.py                       # 60 s, 40 form users + 10 API users
    .venv/bin/python bench/load_test.py --seconds 10 --json   # a short run; last line JSON

The database: --database-url (postgresql+asyncpg://...), else a throwaway database on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_surveys import (  # noqa: E402 - after the path fix
    CSRF,
    _create_database,
    _drop_database,
    _free_port,
    _plain,
    _prepare,
    _seed,
    _start_server,
    _wait_healthy,
)
from service.db import upgrade  # noqa: E402


class Tally:
    """Latencies and outcomes of one kind of request."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.statuses: dict[str, int] = {}

    def record(self, started: float, outcome: str, ok: bool) -> None:
        self.latencies.append(time.perf_counter() - started)
        self.statuses[outcome] = self.statuses.get(outcome, 0) + 1
        if not ok:
            self.errors += 1

    def summary(self, seconds: float) -> dict:
        ordered = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000, 1)

        total = len(self.latencies)
        return {
            "requests": total,
            "per_second": round(total / seconds, 1),
            "error_rate": round(self.errors / total, 4) if total else 0.0,
            "p50_ms": pct(50),
            "p99_ms": pct(99),
            "statuses": self.statuses,
        }


async def run(
    base: str, token: str, paths: list[str], answers: dict, seconds: float, form_users: int, api_users: int
) -> tuple[dict[str, Tally], set[str], float]:
    limits = httpx.Limits(max_connections=form_users + api_users + 10)
    form, alerts = Tally(), Tally()
    accepted: set[str] = set()
    links = iter(paths)
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def employer() -> None:
            async with httpx.AsyncClient(
                base_url=base, timeout=30
            ) as own:  # a browser of its own: own cookies
                await fill_in(own)

        async def fill_in(client: httpx.AsyncClient) -> None:
            for path in links:
                if time.perf_counter() >= deadline:
                    return
                started = time.perf_counter()
                try:
                    page = await client.get(path)
                    found = CSRF.search(page.text)
                    form.record(started, f"GET {page.status_code}", page.status_code == 200 and bool(found))
                    if not found:
                        continue
                    body = {
                        "_csrf_token": found.group(1),
                        "page": "1",
                        "lang": "en",
                        "action": "submit",
                        **answers,
                    }
                    started = time.perf_counter()
                    done = await client.post(path, data=body)
                    ok = done.status_code == 200 and "Thank you" in done.text
                    form.record(started, f"POST {done.status_code}", ok)
                    if ok:
                        accepted.add(path)
                except httpx.TransportError as exc:
                    form.record(started, type(exc).__name__, False)

        async def api_user() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            urls = ["/api/v1/alerts?status=open", "/api/v1/alerts"]
            i = 0
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.get(urls[i % 2], headers=headers)
                    alerts.record(started, f"GET {response.status_code}", response.status_code == 200)
                except httpx.TransportError as exc:
                    alerts.record(started, type(exc).__name__, False)
                i += 1

        started = time.perf_counter()
        await asyncio.gather(
            *(employer() for _ in range(form_users)), *(api_user() for _ in range(api_users))
        )
        elapsed = time.perf_counter() - started
    return {"survey form": form, "alerts API": alerts}, accepted, elapsed


async def stored(url: str, survey_id: int, tokens: set[str]) -> tuple[int, int, int, int]:
    """(submitted responses, submitted among the accepted links, doubled invitations, answers)."""
    conn = await asyncpg.connect(_plain(url))
    try:
        submitted = await conn.fetchval(
            "SELECT count(*) FROM survey_response WHERE survey_id = $1 AND status = 'submitted'", survey_id
        )
        doubled = await conn.fetchval(
            "SELECT count(*) FROM (SELECT invitation_id FROM survey_response WHERE survey_id = $1 "
            "GROUP BY invitation_id HAVING count(*) > 1) AS d",
            survey_id,
        )
        answers = await conn.fetchval(
            "SELECT count(*) FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
            "WHERE r.survey_id = $1 AND r.status = 'submitted'",
            survey_id,
        )
        from surveys.tokens import token_hash

        hashes = [token_hash(t) for t in tokens]
        columns = {
            r["column_name"]
            for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_invitation'"
            )
        }
        column = "token_hash" if "token_hash" in columns else None
        matched = len(tokens)
        if column:
            matched = await conn.fetchval(
                f"SELECT count(*) FROM survey_response r JOIN survey_invitation i ON i.id = r.invitation_id "  # noqa: S608
                f"WHERE r.survey_id = $1 AND r.status = 'submitted' AND i.{column} = ANY($2::text[])",
                survey_id,
                hashes,
            )
        return submitted, matched, doubled, answers
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load lasts (default 60)")
    parser.add_argument("--form-users", type=int, default=40, help="concurrent employers on the form")
    parser.add_argument("--api-users", type=int, default=10, help="concurrent alerts API clients")
    parser.add_argument(
        "--links", type=int, default=None, help="personal links issued (default: 120 per second)"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--database-url", help="postgresql+asyncpg://… (default: a throwaway database)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one final JSON line")
    args = parser.parse_args()
    links = args.links or int(args.seconds * 120)

    name, url = (None, args.database_url) if args.database_url else await _create_database()
    process = None
    try:
        await asyncio.to_thread(upgrade, url)
        token, credential_id = await _seed(url)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        process = _start_server(url, args.workers, port)
        await _wait_healthy(base, process)
        survey_id, paths, answers = await _prepare(base, token, credential_id, links)
        print(
            f"{links} links; {args.form_users} form users and {args.api_users} alerts API users for "
            f"{args.seconds:.0f} s against {args.workers} uvicorn workers…",
            flush=True,
        )
        tallies, accepted, elapsed = await run(
            base, token, paths, answers, args.seconds, args.form_users, args.api_users
        )
        submitted, matched, doubled, stored_answers = await stored(
            url, survey_id, {p.rsplit("/", 1)[1] for p in accepted}
        )
        questions = len(answers)
        figures = {kind: tally.summary(elapsed) for kind, tally in tallies.items()}
        for kind, summary in figures.items():
            print(
                f"{kind}: {summary['requests']} requests, {summary['per_second']}/s, error rate "
                f"{summary['error_rate']:.2%}, p50 {summary['p50_ms']:.0f} ms, "
                f"p99 {summary['p99_ms']:.0f} ms, "
                f"{summary['statuses']}"
            )
        ok = (
            submitted == matched == len(accepted) and doubled == 0 and stored_answers == submitted * questions
        )
        print(
            f"accepted submissions {len(accepted)}; stored {submitted} ({matched} of the accepted links), "
            f"{doubled} doubled, {stored_answers} answers (expected {submitted * questions}): "
            f"{'OK' if ok else 'MISMATCH'}"
        )
        if args.json:
            print(
                json.dumps(
                    {
                        "seconds": round(elapsed, 1),
                        "accepted": len(accepted),
                        "stored": submitted,
                        "ok": ok,
                        **{k.replace(" ", "_"): v for k, v in figures.items()},
                    }
                )
            )
        if not ok:
            raise SystemExit(1)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if name:
            await _drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
