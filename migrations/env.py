"""Alembic environment: async, one linear history for PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

import service.models  # noqa: F401 - registers every table on the metadata
from service.models import metadata

config = context.config


def render_item(type_: str, obj: object, autogen_context) -> str | bool:  # noqa: ANN001
    """Render advanced-alchemy's JSON variant type by its import name, not its expanded variants."""
    from advanced_alchemy.types import JsonB

    if type_ == "type" and isinstance(obj, type(JsonB)) and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("import advanced_alchemy.types")
        return "advanced_alchemy.types.JsonB"
    return False


def _configure(connection) -> None:  # noqa: ANN001 - alembic passes a sync Connection
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection) -> None:  # noqa: ANN001
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
        return
    engine = create_async_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as conn:
        await conn.run_sync(_run_sync)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif config.attributes.get("connection") is not None:
    _run_sync(config.attributes["connection"])
else:
    asyncio.run(run_migrations_online())
