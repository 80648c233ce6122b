"""Command line: `skillpulse credentials import FILE|--ctid CTID|--url URL`, `credentials list`,
`credentials export ID`, `credentials relink ID`, `credentials report ID --out FILE`,
`credentials evaluate-recognition`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from service.cli_support import cli_settings, resolve_org

credentials_app = typer.Typer(
    help="Credentials and competencies: import, list, export, re-link.", no_args_is_help=True
)
console = Console(stderr=True)
ORG_HELP = "Organisation name (may be left out when there is only one)."


_settings = cli_settings


async def _org_id(session, name: str | None) -> int:  # noqa: ANN001 - AsyncSession
    return await resolve_org(session, name)


@credentials_app.command("import")
def import_file(
    file: Path | None = typer.Argument(
        None, exists=True, dir_okay=False, readable=True, help="CTDL .jsonld, CASE .json, .csv"
    ),
    ctid: str | None = typer.Option(
        None, "--ctid", help="Import this CTID (ce-<uuid>) from the Credential Registry, with its frameworks."
    ),
    url: str | None = typer.Option(
        None, "--url", help="Import the CTDL credential at this http(s) URL, with its frameworks."
    ),
    org: str | None = typer.Option(None, "--org", help=ORG_HELP),
    content_type: str | None = typer.Option(
        None,
        "--content-type",
        help="application/ld+json, application/json or text/csv (default: from the file name).",
    ),
    no_link: bool = typer.Option(
        False, "--no-link", help="Import without linking competencies to skill concepts."
    ),
) -> None:
    """Import credentials from FILE, or one from the Credential Registry (--ctid / --url); a re-import
    updates them in place and keeps review decisions."""
    from service.credentials.formats import CredentialFormatError
    from service.credentials.formats.registry_graph import parse_request
    from service.credentials.importing import import_credential_file, import_parsed
    from service.credentials.linkstore import LinkingUnavailable
    from service.credentials.registry import fetch_credential
    from service.credentials.schemas import ImportReport

    if sum(x is not None for x in (file, ctid, url)) != 1:
        console.print("[red]error:[/red] give exactly one of FILE, --ctid and --url")
        raise typer.Exit(2)
    settings = _settings()
    source = file.name if file else (ctid or url or "")

    async def load(session, org_id: int, runner, report) -> ImportReport:  # noqa: ANN001
        if file is not None:
            return await import_credential_file(session, org_id, file, content_type, runner, progress=report)
        request = parse_request({"ctid": ctid} if ctid is not None else {"url": url})
        parsed = await fetch_credential(settings, request)
        results = await import_parsed(session, org_id, parsed, runner, progress=report)
        return ImportReport(format="ctdl", credentials=results)

    try:
        result = asyncio.run(_run_import(settings, org, no_link, load))
    except (CredentialFormatError, LinkingUnavailable) as exc:
        console.print(f"[red]error:[/red] {source}: {exc} (nothing was stored)")
        raise typer.Exit(1) from None
    for c in result.credentials:
        console.print(
            f"{'created' if c.created else 'updated'} credential {c.id} {c.name!r} ({result.format}): "
            f"{c.competencies_added} competencies added, {c.competencies_updated} updated, "
            f"{c.competencies_unchanged} unchanged, {c.competencies_removed} removed; "
            f"{c.links_suggested} skill links suggested"
        )


async def _run_import(settings, org: str | None, no_link: bool, load):  # noqa: ANN001, ANN202 - ImportReport
    """`load(session, org_id, runner, progress)` in one transaction, with an NLP runner and a progress bar."""
    from service.db import create_engine, session_scope
    from service.nlp_runner import NlpRunner

    engine = create_engine(settings)
    runner = None if no_link else NlpRunner(settings.server.nlp_processes)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            tasks: dict[str, int] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=max(total, 1))
                progress.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

            async with session_scope(engine) as session:
                return await load(session, await _org_id(session, org), runner, report)
    finally:
        if runner is not None:
            runner.shutdown()
        await engine.dispose()


@credentials_app.command("list")
def list_credentials(
    org: str | None = typer.Option(None, "--org", help=ORG_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the organisation's credentials with their competency counts."""
    from service.credentials.queries import list_credentials as query
    from service.db import create_engine, session_scope

    settings = _settings()

    async def run():  # noqa: ANN202 - Page[CredentialSummary]
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                return await query(session, await _org_id(session, org), None, 500, 0)
        finally:
            await engine.dispose()

    page = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps([item.model_dump(mode="json") for item in page.items], indent=2))
        return
    table = Table("id", "name", "type", "occupations", "competencies", "ctid")
    for item in page.items:
        table.add_row(
            str(item.id),
            item.name,
            item.type,
            ", ".join(item.occupations),
            str(item.competency_count),
            item.ctid or "",
        )
    Console().print(table)


@credentials_app.command("export")
def export(
    credential_id: int = typer.Argument(..., help="The credential's id (see `credentials list`)."),
    org: str | None = typer.Option(None, "--org", help=ORG_HELP),
    fmt: str = typer.Option("ctdl", "--format", help="ctdl (CTDL-ASN JSON-LD) or case (CASE 1.1 CFPackage)."),
    suggested: bool = typer.Option(False, "--suggested", help="Add the links no one has reviewed yet."),
) -> None:
    """Print the credential as CTDL-ASN JSON-LD (or, with --format case, as a CASE CFPackage), as
    GET /api/v1/credentials/{id}/ctdl (/case) serves it."""
    from litestar.exceptions import NotFoundException

    from service.credentials.exports import case_package, ctdl_document
    from service.db import create_engine, session_scope

    if fmt not in ("ctdl", "case"):
        console.print(f"[red]error:[/red] --format must be ctdl or case, not {fmt!r}")
        raise typer.Exit(2)
    settings = _settings()
    write = case_package if fmt == "case" else ctdl_document

    async def run() -> dict:
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                org_id = await _org_id(session, org)
                return await write(session, org_id, credential_id, settings.credentials, suggested)
        finally:
            await engine.dispose()

    try:
        typer.echo(json.dumps(asyncio.run(run()), indent=2, ensure_ascii=False))
    except NotFoundException as exc:
        console.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(1) from None


@credentials_app.command("relink")
def relink(
    credential_id: int | None = typer.Argument(None, help="The credential's id; leave out with --all."),
    every: bool = typer.Option(False, "--all", help="Every credential of the organisation."),
    org: str | None = typer.Option(None, "--org", help=ORG_HELP),
) -> None:
    """Link competencies again (after a taxonomy or model update); reviewed and hand-made links stay."""
    from litestar.exceptions import NotFoundException

    from service.credentials.editing import relink_credential, relink_organisation
    from service.db import create_engine, session_scope
    from service.nlp_runner import NlpRunner

    if (credential_id is None) == (not every):
        console.print("[red]error:[/red] give a credential id or --all")
        raise typer.Exit(2)
    settings = _settings()

    async def run() -> dict:
        engine = create_engine(settings)
        runner = NlpRunner(settings.server.nlp_processes)
        try:
            async with session_scope(engine) as session:
                org_id = await _org_id(session, org)
                if credential_id is None:
                    return await relink_organisation(session, org_id, runner)
                return await relink_credential(session, org_id, credential_id, runner)
        finally:
            runner.shutdown()
            await engine.dispose()

    try:
        counts = asyncio.run(run())
    except NotFoundException as exc:
        console.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(1) from None
    console.print(
        f"re-linked {counts['competencies']} competencies: {counts['added']} links added, "
        f"{counts['updated']} updated, {counts['removed']} removed"
    )


REPORT_TEMPLATE = "dashboard/report.html"  # the page /app/credentials/{id}/report renders


@credentials_app.command("report")
def report(
    credential_id: int = typer.Argument(..., help="The credential's id (see `credentials list`)."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="FILE.pdf (or FILE.html for the HTML)."),
    org: str | None = typer.Option(None, "--org", help=ORG_HELP),
) -> None:
    """Write the credential's program-review report: a PDF (headless Chromium), or HTML for FILE.html."""
    from litestar.exceptions import NotFoundException

    from service.app import create_app  # the app's template engine renders the dashboard's report page
    from service.db import session_scope
    from service.demand.report import build_report
    from service.pdf import PdfUnavailable, html_to_pdf

    settings = _settings()
    as_html = out.suffix.lower() in (".html", ".htm")

    async def run() -> str:
        app = create_app(settings)
        engine = app.state.engine
        try:
            async with session_scope(engine) as session:
                org_id = await _org_id(session, org)
                data = await build_report(session, settings, org_id, credential_id)
                template = app.template_engine.get_template(REPORT_TEMPLATE)  # type: ignore[union-attr]
                return template.render(report=data, standalone=True)
        finally:
            await engine.dispose()

    try:
        html = asyncio.run(run())
        body = html.encode("utf-8") if as_html else html_to_pdf(html)
    except NotFoundException as exc:
        console.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(1) from None
    except PdfUnavailable as exc:
        console.print(f"[red]error:[/red] {exc} (write FILE.html instead)")
        raise typer.Exit(1) from None
    try:
        out.write_bytes(body)
    except OSError as exc:
        console.print(f"[red]error:[/red] cannot write {out}: {exc.strerror}")
        raise typer.Exit(1) from None
    console.print(f"wrote the {'HTML' if as_html else 'PDF'} report of credential {credential_id} to {out}")


@credentials_app.command("evaluate-recognition")
def evaluate_recognition(
    gold: list[Path] = typer.Option(
        None,
        "--gold",
        help="Labelled postings, repeatable (default: nlp/eval/recognition.jsonl, recognition_test2.jsonl).",
    ),
    credentials: Path = typer.Option(
        None, "--credentials", help="Their credentials (default: nlp/eval/recognition_credentials.json)."
    ),
    split: list[str] = typer.Option(
        None, "--split", help="Report only this split (dev, test2; may be repeated; default: every split)."
    ),
    errors: bool = typer.Option(False, "--errors", help="Also list the dev split's misses and false alarms."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Precision and recall of finding credentials asked for in postings, per split (no database)."""
    from service.credentials import recognition_eval

    unknown = sorted(set(split or ()) - set(recognition_eval.SPLITS))
    if unknown:
        raise typer.BadParameter(f"unknown split {unknown}; one of {', '.join(recognition_eval.SPLITS)}")
    try:
        scores = recognition_eval.evaluate(
            tuple(gold) if gold else recognition_eval.GOLD_FILES,
            credentials or recognition_eval.CREDENTIALS_FILE,
        )
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    shown = {name: score for name, score in scores.items() if not split or name in split}
    if as_json:
        typer.echo(json.dumps({name: score.as_dict() for name, score in shown.items()}, indent=2))
    else:
        table = Table("split", "postings", "tp", "fp", "fn", "precision", "recall", "requirement agrees")
        for name, score in shown.items():
            row = score.as_dict()
            table.add_row(
                name,
                *(str(row[k]) for k in ("postings", "true_positives", "false_positives", "false_negatives")),
                *(str(row[k]) for k in ("precision", "recall", "requirement_agreement")),
            )
        Console().print(table)
    if errors and "dev" in scores:  # the dev split only: the test splits are held out from tuning
        for error in scores["dev"].errors:
            typer.echo(json.dumps(error), err=True)
