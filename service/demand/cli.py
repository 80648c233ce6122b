"""Command line: `skillpulse drift run [--as-of DATE] [--org NAME|ID]`, `skillpulse drift webhooks`,
`skillpulse drift rebuild-rollups [--org NAME|ID]` and `skillpulse drift detach-month YYYY-MM`."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import typer
from rich.console import Console

from service.cli_support import cli_settings, resolve_org

drift_app = typer.Typer(help="Drift detection and alert webhooks.", no_args_is_help=True)
console = Console(stderr=True)


_settings = cli_settings


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@drift_app.command("run")
def run(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Last day of the current window (YYYY-MM-DD); today."
    ),
    org: str | None = typer.Option(None, "--org", help="One organisation (name or id); default every one."),
    as_json: bool = typer.Option(False, "--json", help="Print each run's summary as JSON on stdout."),
) -> None:
    """Run drift detection now; one line per organisation (alerts opened, updated, reopened, resolved)."""
    from service.db import create_engine, session_scope
    from service.demand.runs import run_all_organisations, run_drift

    day = _parse_date(as_of)
    settings = _settings()

    async def go() -> list:
        engine = create_engine(settings)
        try:
            if org is None:
                return await run_all_organisations(engine, settings, day, trigger="cli")
            async with session_scope(engine) as session:
                org_id = await resolve_org(session, org, exit_code=2)  # a bad --org is a usage error
            return [await run_drift(engine, settings, org_id, day, trigger="cli")]
        finally:
            await engine.dispose()

    runs = asyncio.run(go())
    failed = 0
    for item in runs:
        tally = item.summary.get("alerts", {})
        states: dict[str, int] = {}
        for entry in item.summary.get("credentials", {}).values():
            states[entry.get("status", "?")] = states.get(entry.get("status", "?"), 0) + 1
        failed += item.status != "succeeded"
        console.print(
            f"organisation {item.org_id}: run {item.id} {item.status} as of {item.as_of}; credentials "
            f"{states or 'none'}; alerts opened {tally.get('opened', 0)}, updated {tally.get('updated', 0)}, "
            f"reopened {tally.get('reopened', 0)}, resolved {tally.get('resolved', 0)}"
        )
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "id": item.id,
                        "org_id": item.org_id,
                        "status": item.status,
                        "as_of": item.as_of.isoformat(),
                        "summary": item.summary,
                    }
                )
            )
    if failed:
        raise typer.Exit(1)


@drift_app.command("webhooks")
def send_webhooks() -> None:
    """Send every due webhook delivery once (the scheduler does this every few seconds under `serve`)."""
    from service.db import create_engine
    from service.demand.webhooks import deliver_due

    settings = _settings()

    async def go() -> dict:
        engine = create_engine(settings)
        try:
            return await deliver_due(engine, settings)
        finally:
            await engine.dispose()

    tally = asyncio.run(go())
    console.print(
        f"webhooks: {tally['delivered']} delivered, {tally['retrying']} to retry, {tally['failed']} failed"
    )


@drift_app.command("rebuild-rollups")
def rebuild_rollups(
    org: str | None = typer.Option(None, "--org", help="One organisation (name or id); default every one."),
) -> None:
    """Recount the demand rollups from the raw postings and mentions (one transaction; progress on stderr)."""
    import time

    from service.db import create_engine, session_scope
    from service.demand.rollup_rebuild import rebuild

    settings = _settings()
    started = time.perf_counter()

    def progress(message: str) -> None:
        console.print(f"[{time.perf_counter() - started:6.1f} s] {message}")

    async def go() -> dict:
        engine = create_engine(settings)
        try:
            org_id = None
            if org is not None:
                async with session_scope(engine) as session:
                    org_id = await resolve_org(session, org, exit_code=2)
            async with session_scope(engine) as session:
                return await rebuild(session, org_id, progress)
        finally:
            await engine.dispose()

    done = asyncio.run(go())
    console.print(
        f"rollups rebuilt in {time.perf_counter() - started:.1f} s: {done['canonical']:,} postings counted, "
        f"{done['rollup_rows']:,} rollup rows"
    )


@drift_app.command("detach-month")
def detach_month_command(
    month: str = typer.Argument(..., help="The month to detach, YYYY-MM."),
) -> None:
    """PostgreSQL: detach one month's partition of demand_rollup for archiving (its rows leave every demand
    read; the table stays in schema demand_rollup_parts until you dump and drop it)."""
    from service.db import create_engine, session_scope
    from service.demand.partitions import MonthNotAttached, PartitioningUnsupported, detach_month, month_of

    try:
        first = month_of(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    settings = _settings()

    async def go() -> str:
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                return await detach_month(session, first)
        finally:
            await engine.dispose()

    try:
        name = asyncio.run(go())
    except (MonthNotAttached, PartitioningUnsupported) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"detached {name}; archive it with pg_dump -t {name}, then DROP TABLE {name}")
