"""Every dashboard route, gathered for `DOMAIN_ROUTE_MODULES`; each page family lives in its own module."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.static_files import create_static_files_router

from service.dashboard import (
    alert_pages,
    credential_list_page,
    credential_pages,
    login,
    notification_pages,
    overview,
    report_pages,
    run_status,
    settings_pages,
    source_forms,
    source_pages,
    survey_exports,
    survey_pages,
    survey_questions,
    user_admin_pages,
    webhook_pages,
)
from service.dashboard.error_pages import EXCEPTION_HANDLERS

STATIC_DIR = Path(__file__).resolve().parent / "static"

static_files = create_static_files_router(
    path="/static/app", directories=[STATIC_DIR], name="dashboard-static", opt={"exclude_from_auth": True}
)

pages = Router(
    path="/",
    route_handlers=[
        *login.route_handlers,
        *overview.route_handlers,
        *alert_pages.route_handlers,
        *credential_list_page.route_handlers,
        *credential_pages.route_handlers,
        *report_pages.route_handlers,
        *settings_pages.route_handlers,
        *user_admin_pages.route_handlers,
        *notification_pages.route_handlers,
        *survey_pages.route_handlers,
        *survey_questions.route_handlers,
        *survey_exports.route_handlers,
        *source_forms.route_handlers,
        *source_pages.route_handlers,
        *run_status.route_handlers,
        *webhook_pages.route_handlers,
    ],
    exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    include_in_schema=False,
)

route_handlers = [static_files, pages]
