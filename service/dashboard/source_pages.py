"""Import sources: status, schedule, the last runs with their counts or error in words, and "run now"."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.dashboard.rendering import GUARDS, WRITE, page, see_other
from service.dashboard.run_status import run_status
from service.dependencies import CurrentPrincipal
from service.postings import sources
from service.postings.models import ImportRun
from service.tasks import tasks_of

RUNS_SHOWN = 5


@get("/app/sources", include_in_schema=False)
async def sources_page(
    request: Request,
    db_session: DbSession,
    principal: CurrentPrincipal,
    ran: FromQuery[int | None] = None,
    busy: FromQuery[int | None] = None,
    stopping: FromQuery[int | None] = None,
    saved: FromQuery[int | None] = None,
    paused: FromQuery[int | None] = None,
    resumed: FromQuery[int | None] = None,
) -> Template:
    listed = await sources.list_sources(db_session, principal.org_id, by_name=True)
    runs = await sources.recent_runs(db_session, principal.org_id, [s.id for s in listed], RUNS_SHOWN)
    names = {s.id: s.name for s in listed}
    notice = None
    if ran is not None and runs.get(ran):
        notice = _ran_notice(names[ran], runs[ran][0])
    if busy is not None and busy in names:
        notice = f"{names[busy]} is being imported already; wait for that run to finish."
    if stopping is not None and stopping in names:
        notice = f"{names[stopping]}: the server is stopping; run the import again later."
    for source_id, words in (
        (saved, "saved"),
        (paused, "paused: its schedule no longer runs it"),
        (resumed, "resumed: it runs on its schedule again"),
    ):
        if source_id is not None and source_id in names:
            notice = f"{names[source_id]} {words}."
    return page(
        "sources.html",
        principal,
        title="Sources",
        active="sources",
        sources=listed,
        runs=runs,
        notice=notice,
        run_status=await run_status(db_session, tasks_of(request.app), principal.org_id),
    )


def _ran_notice(name: str, last: ImportRun) -> str:
    if last.status == "running":
        return f"{name}: the import has started; this page shows its runs."
    if last.status == "succeeded":
        return (
            f"{name}: {last.fetched} fetched, {last.new} new, {last.updated} updated, "
            f"{last.unchanged} unchanged."
        )
    return f"{name}: the run {last.status}. {last.error or ''}".strip()


@post("/app/sources/{source_id:int}/run", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def run_now(request: Request, source_id: FromPath[int], principal: CurrentPrincipal) -> Redirect:
    """Starts the import in the background (the service behind POST /api/v1/import-sources/{id}/run) and
    shows the page, whose status line follows the run: a failed fetch is a failed run shown on the page; a
    source already being imported (the API's 409) or a server stopping (its 503) says so on the page."""
    back = f"#source-{source_id}"
    try:
        await sources.run_now(request.app, principal.org_id, source_id)
    except sources.SourceNotFound as exc:
        raise NotFoundException(str(exc)) from None
    except sources.SourceBusy:
        return see_other(f"/app/sources?busy={source_id}{back}")
    except sources.ServerStopping:
        return see_other(f"/app/sources?stopping={source_id}{back}")
    return see_other(f"/app/sources?ran={source_id}{back}")


route_handlers = [sources_page, run_now]
