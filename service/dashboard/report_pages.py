"""A credential's program-review report: print-ready HTML, and the same page printed to PDF by headless
Chromium.

The data comes from the demand part's `build_report`; `report_document` renders it (the CLI renders the same
template through the app's template engine)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import ServiceUnavailableException
from litestar.params import FromPath
from litestar.response import Template

from kernel.di import DbSession
from service.demand.report import ProgramReport, build_report
from service.dependencies import CurrentPrincipal
from service.pdf import PdfUnavailable, render_pdf

REPORT_TEMPLATE = "dashboard/report.html"
STYLE_TEMPLATE = "dashboard/report.css"


def report_filename(report: ProgramReport, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", report.credential.name.lower()).strip("-")[:60] or "credential"
    return f"program-review-{slug}-{report.as_of.isoformat()}.{suffix}"


def _template(request: Request, name: str) -> Any:  # noqa: ANN401 - the engine's template
    engine = request.app.template_engine
    assert engine is not None, "the app has a template engine"  # noqa: S101 - create_app configures it
    return engine.get_template(name)


def report_document(request: Request, report: ProgramReport) -> str:
    """The report as one self-contained HTML document (styles inline): what Chromium prints."""
    return str(_template(request, REPORT_TEMPLATE).render(report=report, standalone=True))


@get("/app/credentials/{credential_id:int}/report", include_in_schema=False)
async def report_page(
    request: Request, credential_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template:
    report = await build_report(db_session, request.app.state.settings, principal.org_id, credential_id)
    return Template(template_name=REPORT_TEMPLATE, context={"report": report, "standalone": False})


@get("/app/credentials/{credential_id:int}/report.pdf", include_in_schema=False)
async def report_pdf(
    request: Request, credential_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Response[bytes]:
    report = await build_report(db_session, request.app.state.settings, principal.org_id, credential_id)
    try:
        pdf = await render_pdf(report_document(request, report))
    except PdfUnavailable as exc:
        raise ServiceUnavailableException(str(exc)) from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{report_filename(report, "pdf")}"'},
    )


@get("/app/report.css", include_in_schema=False)
async def report_style(request: Request) -> Response[str]:
    """The report's stylesheet (a template, so the PDF can inline the same rules)."""
    css = str(_template(request, STYLE_TEMPLATE).render())
    return Response(css, media_type="text/css", headers={"cache-control": "private, max-age=300"})


route_handlers = [report_page, report_pdf, report_style]
