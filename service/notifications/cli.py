"""Command line: `skillpulse alerts send-digests [--period daily|weekly] [--now ISO]`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import typer

from service.cli_support import cli_settings, command_engine, console, fail

alerts_app = typer.Typer(help="Alert notifications: the email digests.", no_args_is_help=True)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"--now {value!r} is not an ISO date or time (e.g. 2026-12-07 or 2026-12-07T07:00)", 2
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@alerts_app.command("send-digests")
def send_digests_command(
    period: str | None = typer.Option(
        None, "--period", help="daily or weekly; default both (each user gets the one they chose)."
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Act as if it were this time (UTC, ISO); the digest covers the full period before.",
    ),
) -> None:
    """Build and send the digests of the last full day and/or week now (once per user and period: a digest
    already sent for a period is not sent again)."""
    from service.crypto import keyring_of
    from service.db import sessionmaker
    from service.notifications.digest import PERIODS
    from service.notifications.jobs import send_digests

    if period is not None and period not in PERIODS:
        raise fail(f"--period must be daily or weekly, not {period!r}", 2)
    moment = _parse_now(now)
    settings = cli_settings()

    async def go() -> dict[str, int]:
        async with command_engine(settings) as engine:
            periods = (period,) if period else PERIODS
            return await send_digests(sessionmaker(engine), settings, keyring_of(engine), moment, periods)

    counts = asyncio.run(go())
    console.print(", ".join(f"{key} {value}" for key, value in counts.items()))
    typer.echo(json.dumps(counts))
