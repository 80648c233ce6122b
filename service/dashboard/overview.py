"""The overview: every credential with its coverage of demand and its trend, open alerts, data freshness."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from kernel.di import DbSession
from service.dashboard.overview_view import build_overview
from service.dashboard.rendering import page
from service.dashboard.run_status import run_status
from service.dependencies import CurrentPrincipal
from service.tasks import tasks_of


@get("/app/", include_in_schema=False)
async def overview_page(request: Request, db_session: DbSession, principal: CurrentPrincipal) -> Template:
    view = await build_overview(db_session, principal.org_id)
    running = await run_status(db_session, tasks_of(request.app), principal.org_id)
    return page(
        "overview.html", principal, title="Overview", active="overview", view=view, run_status=running
    )


route_handlers = [overview_page]
