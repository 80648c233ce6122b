"""Command line: `skillpulse worker`, `skillpulse postings import|reextract`, `skillpulse sources run`."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from service.cli_support import cli_settings, resolve_org

if TYPE_CHECKING:
    from service.postings.intake import IntakeSummary

postings_app = typer.Typer(help="Job postings: file import and re-extraction.", no_args_is_help=True)
sources_app = typer.Typer(help="Import sources (job boards and feeds).", no_args_is_help=True)
console = Console(stderr=True)


_settings = cli_settings


STOP_GRACE_SECONDS = 5.0


def worker(
    once: bool = typer.Option(False, "--once", help="Drain the queue, then exit."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="Postings per batch."),
    processes: int | None = typer.Option(None, "--processes", min=1, help="Extraction processes."),
) -> None:
    """Extract skills from pending postings: claim batches, extract in worker processes, store mentions."""
    from service.db import create_engine
    from service.nlp_runner import NlpRunner
    from service.postings.worker import ExtractionWorker

    settings = _settings()

    async def run() -> int:
        engine = create_engine(settings)
        runner = NlpRunner(processes or settings.server.nlp_processes)
        extraction = ExtractionWorker(
            engine,
            runner,
            batch_size=batch_size or settings.postings.worker_batch_size,
            poll_seconds=settings.postings.worker_poll_seconds,
        )
        loop = asyncio.get_running_loop()
        main = asyncio.current_task()

        def stop() -> None:
            # Finish the batch in hand if it ends soon, else give it up (it rolls back and stays pending).
            extraction.stop()
            loop.call_later(STOP_GRACE_SECONDS, main.cancel)

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        try:
            if once:
                return await extraction.drain()
            console.print(f"worker: extracting pending postings (batch {extraction.batch_size})")
            await extraction.run_forever()
            return 0
        except asyncio.CancelledError:
            return 0
        finally:
            runner.shutdown()
            await engine.dispose()

    done = asyncio.run(run())
    if once:
        console.print(f"processed {done} postings")


@postings_app.command("import")
def import_file(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="CSV, JSON lines or JSON-LD."
    ),
    org: str = typer.Option(..., "--org", help="Organisation (name) the postings belong to."),
    source: str | None = typer.Option(
        None, "--source", help="Source name for rows that give none (default: file name)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="csv, jsonl or jsonld (default: from the extension)."
    ),
    region: str | None = typer.Option(None, "--region", help="Region for postings that give none."),
    occupation: str | None = typer.Option(
        None, "--occupation", help="O*NET-SOC code for postings that give none."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Store the valid postings despite bad ones."
    ),
) -> None:
    """Import a file of postings in one transaction (all or nothing), with a progress bar."""
    normal, errors = _read_file(file, fmt, source, region, occupation)
    if errors:
        for error in errors[:10]:
            console.print(f"[yellow]skipped:[/yellow] {error}")
        if len(errors) > 10:
            console.print(f"… and {len(errors) - 10} more")
        if not skip_invalid:
            console.print(
                f"[red]error:[/red] {len(errors)} invalid posting(s); nothing imported "
                "(fix them, or pass --skip-invalid)"
            )
            raise typer.Exit(1)
    summary = asyncio.run(_store_file(org, file.name, normal))
    console.print(
        f"{file.name}: {summary.created} new, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(errors)} skipped; new and changed postings are queued for extraction"
    )


def _read_file(
    file: Path, fmt: str | None, source: str | None, region: str | None, occupation: str | None
) -> tuple[list, list[str]]:
    """The file's postings, normalised with the defaults, and what is wrong with the ones that are not."""
    from service.postings.files import FeedError, detect_format, read_postings
    from service.postings.records import RecordError, normalise, normalise_occupation, with_defaults

    try:
        kind = detect_format(file, fmt)
        default_occupation = normalise_occupation(occupation)
        read = read_postings(file.read_bytes(), kind, source or f"file:{file.name}")
    except (ValueError, FeedError, RecordError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    errors = list(read.errors)
    normal = []
    for number, record in enumerate(read.records, start=1):
        try:
            normal.append(normalise(with_defaults(record, region=region, occupation=default_occupation)))
        except RecordError as exc:
            errors.append(f"posting {number}: {exc}")
    return normal, errors


async def _store_file(org: str, name: str, normal: list) -> IntakeSummary:
    """Store the postings in one transaction, 1,000 at a time, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from service.db import create_engine, session_scope
    from service.postings.intake import IntakeSummary, store_postings

    engine = create_engine(_settings())
    total = IntakeSummary()
    try:
        async with session_scope(engine) as session:
            org_id = await _org_id(session, org)
            columns = [
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            ]
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"importing {name}", total=len(normal))
                for start in range(0, len(normal), 1000):
                    chunk = normal[start : start + 1000]
                    part = await store_postings(session, org_id, chunk)
                    total.created += part.created
                    total.updated += part.updated
                    total.unchanged += part.unchanged
                    progress.advance(task, len(chunk))
    finally:
        await engine.dispose()
    return total


@postings_app.command("reextract")
def reextract(
    org: str | None = typer.Option(None, "--org", help="Only this organisation (name); default: all."),
    all_versions: bool = typer.Option(
        False, "--all", help="Every posting, not only older extractor versions."
    ),
) -> None:
    """Queue postings extracted by an older extractor version (or all) for the worker to redo."""
    from service.db import create_engine, session_scope
    from service.postings.extraction import extractor_version
    from service.postings.queue import requeue

    settings = _settings()
    version = extractor_version()

    async def run() -> int:
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                org_id = await _org_id(session, org) if org else None
                return await requeue(session, version=None if all_versions else version, org_id=org_id)
        finally:
            await engine.dispose()

    count = asyncio.run(run())
    console.print(
        f"queued {count} postings for extraction with {version}; run `skillpulse worker` (or serve)"
    )


async def _org_id(session, name: str) -> int:  # noqa: ANN001
    return await resolve_org(session, name)


__all__ = ["Path", "postings_app", "sources_app", "worker"]


@sources_app.command("run")
def sources_run(
    source_id: int | None = typer.Argument(None, help="The source to run; default: every enabled source."),
    org: str | None = typer.Option(None, "--org", help="Only sources of this organisation (name)."),
) -> None:
    """Run import sources now and print each run; exits 1 when any run failed."""
    from rich.table import Table
    from sqlalchemy import select

    from service.db import create_engine, session_scope
    from service.postings.imports import run_source
    from service.postings.models import ImportSource

    settings = _settings()

    async def run() -> list:
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                org_id = await _org_id(session, org) if org else None
                query = select(ImportSource.id, ImportSource.name).order_by(ImportSource.id)
                if source_id is not None:
                    query = query.where(ImportSource.id == source_id)
                else:
                    query = query.where(ImportSource.enabled.is_(True))
                if org_id is not None:
                    query = query.where(ImportSource.org_id == org_id)
                sources = list((await session.execute(query)).tuples())
            if source_id is not None and not sources:
                console.print(f"[red]error:[/red] no import source {source_id}")
                raise typer.Exit(1)
            from service.postings.imports import SourceBusy

            results = []
            for sid, name in sources:
                try:
                    results.append((sid, name, await run_source(engine, settings, sid, trigger="manual")))
                except SourceBusy as exc:
                    console.print(f"[yellow]skipped:[/yellow] {exc}")
            return results
        finally:
            await engine.dispose()

    results = asyncio.run(run())
    table = Table("id", "source", "status", "fetched", "new", "updated", "unchanged", "failed", "error")
    for sid, name, r in results:
        table.add_row(
            str(sid),
            name,
            r.status,
            str(r.fetched),
            str(r.new),
            str(r.updated),
            str(r.unchanged),
            str(r.failed),
            r.error or "",
        )
    Console().print(table)
    if any(r.status == "failed" for _, _, r in results):
        raise typer.Exit(1)
