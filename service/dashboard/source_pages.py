"""Import sources: status, schedule, the last runs with their counts or error in words, and "run now".

"Run now" on a source that is being imported already answers like the API (409), as this page with a message.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from service.dashboard.rendering import GUARDS, WRITE, page, see_other
from service.dependencies import CurrentPrincipal, DbSession
from service.postings.imports import SourceBusy, run_source
from service.postings.models import ImportRun, ImportSource
from service.postings.worker import wake_worker

RUNS_SHOWN = 5


@get("/app/sources", include_in_schema=False)
async def sources_page(
    db_session: DbSession, principal: CurrentPrincipal, ran: FromQuery[int | None] = None
) -> Template:
    return await _sources_view(db_session, principal, ran)


async def _sources_view(
    db_session: DbSession,
    principal: CurrentPrincipal,
    ran: int | None = None,
    *,
    status_code: int = 200,
    error: str | None = None,
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
        status_code=status_code,
        error=error,
    )


@post("/app/sources/{source_id:int}/run", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def run_now(
    request: Request, source_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Redirect | Template:
    """Runs the import now (a failed fetch is a failed run shown on the page, not an error page; a source
    being imported already is this page with a 409 and a message, as the API answers)."""
    app = request.app
    try:
        run = await run_source(
            app.state.engine,
            app.state.settings,
            source_id,
            trigger="manual",
            org_id=principal.org_id,
            on_stored=lambda: wake_worker(app),
        )
    except SourceBusy:
        source = await db_session.scalar(
            select(ImportSource).where(ImportSource.id == source_id, ImportSource.org_id == principal.org_id)
        )
        if source is None:
            raise NotFoundException(f"import source {source_id} not found") from None
        return await _sources_view(
            db_session,
            principal,
            status_code=409,
            error=f"{source.name} is being imported right now; its run appears below when it ends. "
            "Nothing new was started.",
        )
    if run is None:
        raise NotFoundException(f"import source {source_id} not found")
    return see_other(f"/app/sources?ran={source_id}#source-{source_id}")


route_handlers = [sources_page, run_now]
