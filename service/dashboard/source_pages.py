"""Import sources: status, schedule, the last runs with their counts or error in words, and "run now"."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from service.dashboard.rendering import GUARDS, WRITE, page, see_other
from service.dependencies import CurrentPrincipal, DbSession
from service.postings.imports import run_source
from service.postings.models import ImportRun, ImportSource
from service.postings.worker import wake_worker

RUNS_SHOWN = 5


@get("/app/sources", include_in_schema=False)
async def sources_page(
    db_session: DbSession, principal: CurrentPrincipal, ran: FromQuery[int | None] = None
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
        notice = (
            f"{name}: {last.fetched} fetched, {last.new} new, {last.updated} updated, "
            f"{last.unchanged} unchanged."
            if last.status == "succeeded"
            else f"{name}: the run {last.status}. {last.error or ''}".strip()
        )
    return page(
        "sources.html",
        principal,
        title="Sources",
        active="sources",
        sources=sources,
        runs=runs,
        notice=notice,
    )


@post("/app/sources/{source_id:int}/run", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def run_now(request: Request, source_id: FromPath[int], principal: CurrentPrincipal) -> Redirect:
    """Runs the import now (a failed fetch is a failed run shown on the page, not an error page)."""
    app = request.app
    run = await run_source(
        app.state.engine,
        app.state.settings,
        source_id,
        trigger="manual",
        org_id=principal.org_id,
        on_stored=lambda: wake_worker(app),
    )
    if run is None:
        raise NotFoundException(f"import source {source_id} not found")
    return see_other(f"/app/sources?ran={source_id}#source-{source_id}")


route_handlers = [sources_page, run_now]
