"""``skillpulse geo …``: build the packaged geography tables; measure the location normaliser."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from service.cli_support import fail

EVAL_FILE = Path(__file__).resolve().parent / "eval" / "locations.jsonl"

app = typer.Typer(help="US geography: reference tables and location normalisation.", no_args_is_help=True)


@app.command("build")
def build(
    source: Path | None = typer.Option(
        None, help="Folder with the geography sources (default ../shared/data/geo)."
    ),
) -> None:
    """Write service/geo/data/*.json.gz from the OMB, Census, Geocorr, simplemaps and HUD files."""
    from service.geo.build import DEFAULT_SOURCE, build_geo

    try:
        typer.echo(json.dumps(build_geo(source or DEFAULT_SOURCE)))
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None


@app.command("normalise")
def normalise_command(
    location: str = typer.Argument(..., help="Free text, or a JSON location object."),
) -> None:
    """Print the codes of one location."""
    from service.geo import normalise

    value: object = location
    if location.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(location)
        except json.JSONDecodeError as exc:
            raise fail(f"not JSON: {exc.msg}") from None
    typer.echo(json.dumps(normalise(value).as_json()))


@app.command("evaluate")
def evaluate_command(
    file: Path = typer.Argument(EVAL_FILE, help="JSON lines with input and expected codes."),
    split: str | None = typer.Option(None, help="Only lines of this split (dev or test)."),
    show_misses: int = typer.Option(0, "--misses", help="Print up to this many missed lines."),
) -> None:
    """State, county, CBSA and remote accuracy, and codes invented for junk."""
    from service.geo import normalise
    from service.geo.evaluation import evaluate, read_lines

    if not file.exists():
        raise fail(f"{file} does not exist")
    try:
        lines = read_lines(file)
    except (ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    report = evaluate(lines, normalise, split)
    for miss in report.misses[:show_misses]:
        typer.echo(json.dumps(miss), err=True)
    typer.echo(json.dumps(report.as_json()))


@app.command("backfill")
def backfill_command(
    batch_size: int = typer.Option(1000, min=1, help="Rows read and written per batch."),
) -> None:
    """Fill `posting.geo` and credentials' region codes from their region text where they have none (the
    upgrade to revision 0010 does the same; running it again fills only what is still missing)."""
    import asyncio

    from service.cli_support import cli_settings, command_engine
    from service.geo.backfill import fill_all

    settings = cli_settings()

    async def run() -> dict:
        async with command_engine(settings) as engine, engine.begin() as connection:
            return await connection.run_sync(fill_all, batch_size)

    typer.echo(json.dumps(asyncio.run(run())))
