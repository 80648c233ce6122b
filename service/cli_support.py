"""What every CLI command shares: the settings (or a clean exit naming the bad one), an engine for the
command, and the one --org resolver. service/cli.py and each domain's cli.py import this; nothing imports
them back."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.settings import Settings, SettingsError, load_settings

console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def cli_settings() -> Settings:
    """The settings from the environment; a bad one exits 2 naming it. Every table is known to the ORM."""
    import service.models  # noqa: F401 - foreign keys between domains' tables

    try:
        return load_settings()
    except SettingsError as exc:
        raise fail(str(exc), 2) from None


@contextlib.asynccontextmanager
async def command_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine for one command, disposed when it ends."""
    from service.db import create_engine

    engine = create_engine(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


async def resolve_org(session: AsyncSession, org: str | None, *, exit_code: int = 1) -> int:
    """The organisation --org names (its name, or its id); left out, the only organisation there is.

    Otherwise exits with `exit_code`, saying what is wrong."""
    from service.auth.models import Organisation

    if org:
        org_id = await session.scalar(select(Organisation.id).where(Organisation.name == org))
        if org_id is None and org.isdigit():
            org_id = await session.scalar(select(Organisation.id).where(Organisation.id == int(org)))
        if org_id is None:
            raise fail(f"no organisation named {org!r} (create it with `skillpulse users create`)", exit_code)
        return org_id
    ids = list(await session.scalars(select(Organisation.id).order_by(Organisation.id).limit(2)))
    if not ids:
        raise fail("no organisation yet: create one with `skillpulse users create`", exit_code)
    if len(ids) > 1:
        raise fail("several organisations: say which with --org", exit_code)
    return ids[0]
