"""PostgreSQL's own CPU for the survey form's two statements, one connection, no HTTP: what the database does
per submission that the bare baseline's one-row INSERT does not.

Runs on a database that bench_surveys.py has set up (`--database-url` of a kept database): it adds `--count`
fresh pending invitations to the first survey, then times, from /proc, the CPU of its own backend over
`--count` link reads (`respond_fast._LINK_SQL`) and `--count` first and final submits
(`respond_fast._SUBMIT_FIRST_SQL`) with all the survey's answers, with one answer and with none, each a fresh
link.

    .venv/bin/python bench/pg_submit_cost.py --database-url postgresql://postgres@127.0.0.1:5432/NAME [--count 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveys.outbox import ACTIVE  # noqa: E402
from surveys.respond_fast import _LINK_SQL, _SUBMIT_FIRST_SQL  # noqa: E402
from surveys.tokens import token_hash  # noqa: E402

_INVITE = (
    "INSERT INTO survey_invitation (org_id, survey_id, employer, name, token_hash, language, status, opted_out, "
    "bounced, reminders_sent, created_at) VALUES ($1, $2, 'e', 'n', $3, 'en', 'pending', false, false, 0, now()) "
    "RETURNING id"
)


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _links(conn: asyncpg.Connection, org: int, survey: int, count: int) -> list[tuple[str, int]]:
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    return [(t, await conn.fetchval(_INVITE, org, survey, token_hash(t))) for t in tokens]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=1500)
    args = parser.parse_args()
    conn = await asyncpg.connect(args.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        survey, org = await conn.fetchrow("SELECT id, org_id FROM survey ORDER BY id LIMIT 1")
        questions = [
            r[0]
            for r in await conn.fetch(
                "SELECT id FROM survey_question WHERE survey_id = $1 ORDER BY position", survey
            )
        ]
        links = await _links(conn, org, survey, args.count)
        before = _backend_cpu(pid)
        for token, _ in links:
            await conn.fetchrow(_LINK_SQL, token_hash(token))
        print(f"link read: {(_backend_cpu(pid) - before) / args.count * 1000:.3f} ms backend CPU each")
        for label, answered in (
            (f"{len(questions)} answers", questions),
            ("1 answer", questions[:1]),
            ("none", []),
        ):
            links = await _links(conn, org, survey, args.count)
            before = _backend_cpu(pid)
            for _, invitation in links:
                await conn.fetchval(
                    _SUBMIT_FIRST_SQL,
                    invitation,
                    org,
                    survey,
                    1,
                    "en",
                    datetime.now(UTC),
                    answered,
                    [json.dumps("3")] * len(answered),
                    list(ACTIVE),
                )
            cpu = (_backend_cpu(pid) - before) / args.count * 1000
            print(f"first and final submit, {label}: {cpu:.3f} ms backend CPU each")
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
