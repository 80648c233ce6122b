"""Builds the demo for several days across a year, each on a fresh SQLite file, and prints the open alerts
of each: the planted drifts (an emerging skill, a fading competency, a survey gap) must come out on any day.

    .venv/bin/python scripts/check_demo_days.py [--start 2026-12-02] [--offsets 0,17,45,...]

About 20 s a day on one core. Exits 1 when a day misses a planted drift.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from sqlalchemy import select

PLANTED = (
    ("emerging_skill", "Microsoft Azure"),
    ("fading_competency", "scheduling"),
    ("survey_gap", "Python"),
)


async def _alerts(day: date, url: str) -> list[tuple[str, str]]:
    from demo.load import build_demo
    from service.db import create_engine, session_scope
    from service.demand.models import Alert
    from service.settings import build_settings

    settings = build_settings(
        database={"url": url}, server={"env": "test", "secret_key": "x" * 32, "run_worker": False}
    )
    await build_demo(settings, Console(quiet=True), "http://127.0.0.1:8000", today=day)
    engine = create_engine(settings)
    try:
        async with session_scope(engine) as session:
            rows = await session.execute(select(Alert.kind, Alert.title).where(Alert.status == "open"))
            return list(rows.all())
    finally:
        await engine.dispose()


def main() -> int:
    from service.db import upgrade

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=datetime.now(UTC).date())
    parser.add_argument("--offsets", default="0,17,45,88,121,150,200,263,301,340", help="days after --start")
    args = parser.parse_args()
    missed = 0
    for offset in (int(n) for n in args.offsets.split(",")):
        day = args.start + timedelta(days=offset)
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/demo.db"
        upgrade(url)
        rows = asyncio.run(_alerts(day, url))
        ok = all(any(k == kind and words.lower() in t.lower() for k, t in rows) for kind, words in PLANTED)
        missed += not ok
        verdict = "all three planted drifts" if ok else "MISSING a planted drift"
        print(f"{day}  {verdict}  {len(rows)} open alerts")
        for kind, title in rows:
            print(f"    {kind:<18} {title[:90]}")
    return 1 if missed else 0


if __name__ == "__main__":  # the NLP pool spawns processes: the guard keeps them from re-running this
    sys.exit(main())
