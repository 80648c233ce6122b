"""The application factory. Nothing here runs at import time: every test builds its own app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.security_headers import SecurityHeadersMiddleware
from kernel.tokens import derive_key
from service import db, logformat, logredact
from service.auth import controllers as auth_controllers
from service.auth.guards import role_guard
from service.auth.middleware import PUBLIC_PATHS, AuthMiddleware
from service.clientaddr import ClientAddressMiddleware
from service.credentials import controllers as credential_controllers
from service.credentials import jobs as credential_jobs
from service.crypto import keyring_of
from service.dashboard import controllers as dashboard_controllers
from service.dashboard.filters import register_template_filters
from service.demand import controllers as demand_controllers
from service.demand import jobs as demand_jobs
from service.demand import runs as drift_runs
from service.dependencies import provide_credential_source, provide_nlp, provide_principal
from service.errors import exception_handlers
from service.extraction import controllers as extraction_controllers
from service.health import health, ready
from service.nlp_runner import NlpRunner
from service.notifications import controllers as notification_controllers
from service.notifications import jobs as notification_jobs
from service.openapi import complete_openapi
from service.postings import controllers as postings_controllers
from service.postings import scheduling as postings_scheduling
from service.postings.worker import background_worker as postings_worker
from service.scheduler import Scheduler
from service.settings import Settings, load_settings
from service.tasks import background_tasks
from surveys import controllers as survey_controllers
from surveys import jobs as survey_jobs
from surveys.respond_asgi import SurveySubmitRoute

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "service" / "dashboard" / "templates", ROOT / "surveys" / "templates"]

# Each domain's HTTP handlers; a new domain adds its module here.
DOMAIN_ROUTE_MODULES = [
    auth_controllers,
    extraction_controllers,
    postings_controllers,
    dashboard_controllers,
    demand_controllers,
    survey_controllers,
    credential_controllers,
    notification_controllers,
]

# Each domain's scheduled jobs: `def register(scheduler: Scheduler, app: Litestar) -> None`.
JOB_REGISTRARS: list[Callable[[Scheduler, Litestar], None]] = [
    demand_jobs.register,
    survey_jobs.register,
    postings_scheduling.register,
    credential_jobs.register,
    drift_runs.register_interrupted_runs,
    notification_jobs.register,
]

# Background services of `serve` (e.g. the in-process extraction worker): `app -> async context manager`,
# entered after start-up and left at shutdown.
BACKGROUND_SERVICES: list[Callable[[Litestar], AbstractAsyncContextManager]] = [
    postings_worker,
    background_tasks,
]


@asynccontextmanager
async def _scheduler_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if not settings.server.run_scheduler:
        yield
        return
    scheduler = Scheduler(app.state.engine)
    for register in JOB_REGISTRARS:
        register(scheduler, app)
    app.state.scheduler = scheduler
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown()


@asynccontextmanager
async def _background_lifespan(app: Litestar) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for service in BACKGROUND_SERVICES:
            await stack.enter_async_context(service(app))
        yield


def _key(settings: Settings, purpose: str) -> bytes:
    return derive_key(settings.server.secret_key, purpose)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the Litestar app for `settings` (default: from the environment)."""
    settings = settings or load_settings()
    engine = db.create_engine(settings)
    nlp_runner = NlpRunner(settings.server.nlp_processes)

    def on_startup(app: Litestar) -> None:
        complete_openapi(app, PUBLIC_PATHS)
        logredact.install()  # after the server configured logging
        if settings.server.env != "test":  # tests start many apps; there the pool starts on first use
            nlp_runner.start()

    def on_shutdown() -> None:
        nlp_runner.shutdown()

    route_handlers: list = [health, ready]
    for module in DOMAIN_ROUTE_MODULES:
        route_handlers.extend(module.route_handlers)

    app = Litestar(
        route_handlers=route_handlers,
        plugins=[db.sqlalchemy_plugin(engine)],
        middleware=[_session_config(settings).middleware, _auth_middleware()],
        guards=[role_guard],
        dependencies={
            "principal": Provide(provide_principal, sync_to_thread=False),
            "nlp": Provide(provide_nlp, sync_to_thread=False),
            "credential_source": Provide(provide_credential_source, sync_to_thread=False),
        },
        csrf_config=_csrf_config(settings),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        openapi_config=OPENAPI_CONFIG,
        template_config=TemplateConfig(
            directory=TEMPLATE_DIRS, engine=JinjaTemplateEngine, engine_callback=register_template_filters
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        logging_config=_logging_config(settings),
        request_max_body_size=settings.server.max_body_bytes,
        state=_app_state(settings, engine, nlp_runner),
        lifespan=[_scheduler_lifespan, _background_lifespan],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=False,
    )
    if engine.dialect.name == "postgresql":
        # the survey form's usual final submit, answered ahead of Litestar's request path (see the module)
        app.asgi_handler = SurveySubmitRoute(app.asgi_handler, app, engine, settings.server.max_body_bytes)
    # around the whole ASGI handler, not in the route middleware: the router's own 404 / 405 answers get the
    # security headers too
    app.asgi_handler = SecurityHeadersMiddleware(app.asgi_handler)
    # outermost: every handler and middleware sees the client address the trusted-proxy list allows
    app.asgi_handler = ClientAddressMiddleware(app.asgi_handler, settings.server.trusted_proxies)
    return app


OPENAPI_CONFIG = OpenAPIConfig(
    title="skillpulse",
    version="0.1.0",
    description="Credential drift against employer demand.",
    path="/schema",
    render_plugins=[ScalarRenderPlugin()],
)


def _session_config(settings: Settings) -> CookieBackendConfig:
    """The signed session cookie the dashboard signs in with (marked Secure in production)."""
    return CookieBackendConfig(
        secret=_key(settings, "session"),
        key="skillpulse_session",
        max_age=8 * 3600,
        httponly=True,
        secure=settings.server.env == "production",
        samesite="lax",
        # the employer's form (its link is its credential), the probes and the schema never read a session:
        # no cookie to decode or re-sign on the form's hot path
        exclude=["^/s/", "^/health", "^/schema"],
    )


def _csrf_config(settings: Settings) -> CSRFConfig:
    """CSRF for the pages' forms; the API (bearer tokens), health probes and the schema are exempt."""
    return CSRFConfig(
        secret=_key(settings, "csrf").hex(),
        cookie_name="skillpulse_csrf",
        cookie_secure=settings.server.env == "production",
        cookie_httponly=True,
        header_name="x-csrftoken",
        exclude=["^/api/", "^/health", "^/schema"],
    )


def _logging_config(settings: Settings) -> LoggingConfig:
    return LoggingConfig(
        root={"level": settings.server.log_level, "handlers": ["queue_listener"]},
        formatters=logformat.formatters(settings.server.log_format),
        log_exceptions="always",
        disable_stack_trace={400, 401, 403, 404, 405, 409, 413, 422, 429},
    )


def _app_state(settings: Settings, engine: AsyncEngine, nlp_runner: NlpRunner) -> State:
    return State(
        {
            "settings": settings,
            "engine": engine,
            "sessionmaker": db.sessionmaker(engine),
            "nlp": nlp_runner,
            "keyring": keyring_of(engine),  # encrypts what must be kept but never stored in clear
        }
    )


def _auth_middleware():  # noqa: ANN202 - a Litestar DefineMiddleware
    from litestar.middleware.base import DefineMiddleware

    return DefineMiddleware(AuthMiddleware, exclude=PUBLIC_PATHS, exclude_from_auth_key="exclude_from_auth")
