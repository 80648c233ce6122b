"""The `skillpulse` command line."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import signal
import sys
import threading

import typer
from rich.console import Console

from service.cli_support import cli_settings, fail
from service.logformat import configure_basic, uvicorn_log_config
from service.settings import DEFAULT_SECRET, Settings, SettingsError

app = typer.Typer(help="skillpulse: credential drift against employer demand.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Organisations, users and API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")

console = Console(stderr=True)


_settings = cli_settings  # the settings of every command (service/cli_support.py)


EXIT_DEADLINE_SECONDS = 30.0  # a supervisor's SIGKILL usually follows SIGTERM after 10-30 s


def _exit_deadline(code: int) -> None:
    """Once `serve` has been told to stop, it is gone within EXIT_DEADLINE_SECONDS whatever a library thread
    or an atexit hook still waits for (its NLP workers die with it: PR_SET_PDEATHSIG, see nlp_runner).
    """
    timer = threading.Timer(EXIT_DEADLINE_SECONDS, os._exit, (code,))
    timer.daemon = True
    timer.start()


def _exit_on_signal(signum: int, _frame: object) -> None:
    """SIGTERM during start-up (migrations, the demo load) or re-raised by uvicorn once it has shut down: exit
    through SystemExit so that clean-up and atexit hooks run (the NLP pool ends its worker processes) instead
    of dying where we stand, with a deadline behind it."""
    _exit_deadline(128 + signum)
    raise SystemExit(128 + signum)


_fail = fail


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from service.db import upgrade

    settings = _settings()
    upgrade(settings.database.url, revision)
    console.print(f"database at {revision}")


@users_app.command("create")
def users_create(
    org: str = typer.Option(..., "--org", help="Organisation name; created when new."),
    email: str = typer.Option(..., "--email"),
    role: str = typer.Option("designer", "--role", help="admin, designer or viewer"),
    password: str | None = typer.Option(None, "--password", help="For dashboard sign-in (8+ characters)."),
    name: str = typer.Option("", "--name"),
) -> None:
    """Create a user (and its organisation if new); prints a new API token alone on the last line."""
    from service.auth.services import AuthError, create_user, get_or_create_org, issue_token
    from service.db import create_engine, session_scope

    settings = _settings()

    async def run() -> str:
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                organisation, created = await get_or_create_org(session, org)
                user = await create_user(session, organisation, email, role, password, name)
                issued = await issue_token(session, user, name="cli")
                console.print(
                    f"{'created' if created else 'using'} organisation {organisation.name!r} "
                    f"(id {organisation.id}); "
                    f"user {user.email} ({user.role}, id {user.id}); API token (shown once):"
                )
                return issued.token
        finally:
            await engine.dispose()

    try:
        token = asyncio.run(run())
    except AuthError as exc:
        raise _fail(str(exc)) from None
    typer.echo(token)


@users_app.command("set-password")
def users_set_password(
    email: str = typer.Option(..., "--email"),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="The new password (8+ characters); asked for when left out.",
    ),
) -> None:
    """Set a user's dashboard password; every session cookie the user holds stops working."""
    from service.auth.services import AuthError, set_password, user_by_email
    from service.db import create_engine, session_scope

    settings = _settings()

    async def run() -> bool:
        engine = create_engine(settings)
        try:
            async with session_scope(engine) as session:
                user = await user_by_email(session, email)
                if user is None:
                    return False
                await set_password(session, user, password)
                return True
        finally:
            await engine.dispose()

    try:
        found = asyncio.run(run())
    except AuthError as exc:
        raise _fail(str(exc)) from None
    if not found:
        raise _fail(f"no user with email {email}")
    console.print(f"password of {email} changed; its sessions are signed out")


def _is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def serve_refusal(settings: Settings, host: str, demo: bool) -> str | None:
    """Why `serve` must not start with these settings, or None. Production's secret rules are in settings."""
    if demo and settings.server.env == "production":
        return (
            "--demo creates a published admin login (demo@skillpulse.example / demo-password) and is "
            "refused in production mode (SKILLPULSE_ENV=production)"
        )
    if (
        settings.server.env != "production"
        and settings.server.secret_key == DEFAULT_SECRET
        and not _is_loopback(host)
    ):
        return (
            f"refusing to serve on {host} in {settings.server.env} mode with the published default secret: "
            "anyone could sign session cookies. Set SKILLPULSE_ENV=production and SKILLPULSE_SECRET_KEY "
            "(openssl rand -hex 32), or serve on 127.0.0.1"
        )
    return None


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    demo: bool = typer.Option(
        False, "--demo", help="Load demo data on first start and print how to sign in."
    ),
    workers: int = typer.Option(1, "--workers", help="Web worker processes."),
) -> None:
    """Upgrade the database, then serve the API, the dashboard and the survey forms."""
    import uvicorn

    from service.clientaddr import uvicorn_proxy_options
    from service.db import upgrade

    signal.signal(signal.SIGTERM, _exit_on_signal)  # uvicorn installs its own once it runs
    settings = _settings()
    refusal = serve_refusal(settings, host, demo)
    if refusal:
        raise _fail(refusal)
    configure_basic(settings.server.log_level, settings.server.log_format)
    if settings.server.log_format == "json":  # every line on stderr is then a JSON object, this one too
        logging.getLogger("skillpulse.cli").info("upgrading database schema")
    else:
        console.print("upgrading database schema…")
    upgrade(settings.database.url)
    if demo:
        from demo.load import load_demo

        asyncio.run(load_demo(settings, base_url=f"http://{host}:{port}", console=console))
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.server.log_level.lower(),
        log_config=uvicorn_log_config(settings.server.log_format),
        **uvicorn_proxy_options(settings.server.trusted_proxies),
    )
    _exit_deadline(0)  # uvicorn has shut down: what is left is interpreter exit


from service.postings.cli import postings_app, sources_app  # noqa: E402 - after the core commands
from service.postings.cli import worker as postings_worker  # noqa: E402

app.add_typer(postings_app, name="postings")
app.add_typer(sources_app, name="sources")
app.command("worker")(postings_worker)

from service.credentials.cli import credentials_app  # noqa: E402

app.add_typer(credentials_app, name="credentials")

from service.demand.cli import drift_app  # noqa: E402

app.add_typer(drift_app, name="drift")

from service.notifications.cli import alerts_app  # noqa: E402

app.add_typer(alerts_app, name="alerts")

from service.geo.cli import app as geo_app  # noqa: E402

app.add_typer(geo_app, name="geo")

from service.secrets_cli import secrets_app  # noqa: E402

app.add_typer(secrets_app, name="secrets")

from nlp.cli import app as nlp_app  # noqa: E402
from training.cli import register as register_training  # noqa: E402

register_training(nlp_app)  # train, teach, label-silver, train-embedding: commands, never run-time imports

app.add_typer(nlp_app, name="nlp", help="Skill extraction: extract, evaluate, train, build the taxonomy.")


def main() -> None:
    try:
        app()
    except SettingsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
