"""Import sources: status, schedule, the last runs with their counts or error in words, and "run now"."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from service.dashboard.rendering import GUARDS, WRITE, page, see_other
from service.dashboard.run_status import run_status
from service.dependencies import CurrentPrincipal, DbSession
from service.postings.imports import SourceBusy
from service.postings.models import ImportRun, ImportSource
from service.postings.run_jobs import start_source_run
from service.tasks import tasks_of

RUNS_SHOWN = 5


@get("/app/sources", include_in_schema=False)
async def sources_page(
    request: Request,
    db_session: DbSession,
    principal: CurrentPrincipal,
    ran: FromQuery[int | None] = None,
    busy: FromQuery[int | None] = None,
) -> Template:
    sources = list(
        await db_session.scalars(
            select(ImportSource).where(ImportSource.org_id == principal.org_id).order_by(ImportSource.name)
        )
    )
    runs: dict[int, list[ImportRun]] = {s.id: [] for s in sources}
    if sources:
        rows = await db_session.scalars(
            select(ImportRun)
            .where(ImportRun.org_id == principal.org_id, ImportRun.source_id.in_(list(runs)))
            .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
            .limit(RUNS_SHOWN * len(sources) * 4)
        )
        for run in rows:
            if len(runs[run.source_id]) < RUNS_SHOWN:
                runs[run.source_id].append(run)
    notice = None
    if ran is not None and ran in runs and runs[ran]:
        last = runs[ran][0]
        name = next(s.name for s in sources if s.id == ran)
        if last.status == "running":
            notice = f"{name}: the import has started; this page shows its runs."
        elif last.status == "succeeded":
            notice = (
                f"{name}: {last.fetched} fetched, {last.new} new, {last.updated} updated, "
                f"{last.unchanged} unchanged."
            )
        else:
            notice = f"{name}: the run {last.status}. {last.error or ''}".strip()
    if busy is not None and busy in runs:
        name = next(s.name for s in sources if s.id == busy)
        notice = f"{name} is being imported already; wait for that run to finish."
    return page(
        "sources.html",
        principal,
        title="Sources",
        active="sources",
        sources=sources,
        runs=runs,
        notice=notice,
        run_status=await run_status(db_session, tasks_of(request.app), principal.org_id),
    )


@post("/app/sources/{source_id:int}/run", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def run_now(request: Request, source_id: FromPath[int], principal: CurrentPrincipal) -> Redirect:
    """Starts the import in the background and shows the page, whose status line follows the run (a failed
    fetch is a failed run shown on the page; a source already being imported says so, not an error page)."""
    try:
        run = await start_source_run(request.app, source_id, principal.org_id)
    except SourceBusy:
        return see_other(f"/app/sources?busy={source_id}#source-{source_id}")
    if run is None:
        raise NotFoundException(f"import source {source_id} not found")
    return see_other(f"/app/sources?ran={source_id}#source-{source_id}")


route_handlers = [sources_page, run_now]
