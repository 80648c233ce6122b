"""Database engine, sessions and migrations. Nothing is created at import time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar.datastructures import State
from litestar.types import Scope
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from service.settings import Settings
from service.tenancy import scope_session

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI hook signature
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


PING_AFTER_IDLE_SECONDS = 10.0


def _mark_returned(_dbapi_connection, record) -> None:  # noqa: ANN001 - pool event signature
    record.info["returned_at"] = time.monotonic()


def _check_alive(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001 - pool event signature
    """Pessimistic disconnect handling at checkout, as `pool_pre_ping` but mostly without a round trip.

    With asyncpg, SQLAlchemy's pre-ping costs three round trips on every checkout (BEGIN, an empty query,
    ROLLBACK). A connection that the server closed (a restart, a terminated backend) is already known to
    asyncpg as closed, which needs no round trip; a connection that sat in the pool longer than
    PING_AFTER_IDLE_SECONDS still gets the real ping. A dead connection is replaced before use and the rest of
    the pool is invalidated, as with pre-ping.
    """
    try:
        if dbapi_connection.driver_connection.is_closed():
            raise ConnectionError("the server closed the connection")
        returned_at = record.info.get("returned_at")  # None: a fresh connection
        if returned_at is not None and time.monotonic() - returned_at > PING_AFTER_IDLE_SECONDS:
            dbapi_connection.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means a dead connection
        raise InvalidatePoolError(str(exc)) from exc


def insert_or_nothing(dialect: str, table: Any, keys: list[str]) -> Any:
    """``INSERT … ON CONFLICT (keys) DO NOTHING`` for ``table`` on PostgreSQL or SQLite (the two we run on):
    a row another writer, replica or firing has already added is skipped, never an error."""
    if dialect == "postgresql":
        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)
    raise ValueError(f"unsupported database dialect {dialect!r}")


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine for the configured URL (SQLite gets WAL, FKs and a busy timeout), with its keyring for
    the encrypted columns."""
    from service.crypto import bind_keyring, keyring_from_settings

    db = settings.database
    if db.is_sqlite:
        engine = create_async_engine(db.url, echo=db.echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        bind_keyring(engine, keyring_from_settings(settings))
        return engine
    engine = create_async_engine(
        db.url,
        echo=db.echo,
        pool_size=db.pool_size,
        max_overflow=db.pool_size,
        pool_timeout=10,
    )
    event.listen(engine.sync_engine.pool, "checkin", _mark_returned)
    event.listen(engine.sync_engine.pool, "checkout", _check_alive)
    bind_keyring(engine, keyring_from_settings(settings))
    return engine


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class TenantSessionConfig(SQLAlchemyAsyncConfig):
    """The plugin's config, whose request session is scoped to the caller's organisation
    (service/tenancy.py).

    The auth middleware has put the caller (a Principal) on the scope before any handler asks for
    `db_session`; a request without a caller (health, the public survey form, the login page) gets an
    unscoped session.
    """

    def provide_session(self, state: State, scope: Scope) -> AsyncSession:
        session = super().provide_session(state, scope)
        user = scope.get("user")
        org_id = getattr(user, "org_id", None)
        if isinstance(org_id, int):
            scope_session(session, org_id)
        return session


def sqlalchemy_plugin(engine: AsyncEngine) -> SQLAlchemyPlugin:
    """Litestar's SQLAlchemy plugin: a `db_session` dependency per request, committed on a 2xx/3xx, scoped
    to the caller's organisation."""
    config = TenantSessionConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit_include_redirects",
        session_dependency_key="db_session",
        create_all=False,
    )
    return SQLAlchemyPlugin(config=config)


@asynccontextmanager
async def session_scope(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on error (CLI, workers, scheduler jobs). It is not
    scoped to an organisation: these act across organisations on purpose (service/tenancy.py)."""
    async with sessionmaker(engine)() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def ping(engine: AsyncEngine, within: float = 2.0) -> bool:
    """True when the database answers a trivial query within `within` seconds."""
    try:
        async with asyncio.timeout(within):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False


def alembic_config(database_url: str):  # noqa: ANN201 - alembic.config.Config
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


MIGRATION_LOCK_KEY = 0x5D1F_A1E3_B1C0  # pg_advisory_lock key: "skillpulse migrations"


def upgrade(database_url: str, revision: str = "head") -> None:
    """Run Alembic migrations up to `revision` (blocking; call from a thread inside an event loop).

    On PostgreSQL the migrations run under a session-level advisory lock, so replicas (or two `serve`) started
    at once on a fresh database take turns: the second finds the schema at head and does nothing, instead of
    racing the first on `CREATE TABLE alembic_version` and crashing.
    """
    from alembic import command

    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        command.upgrade(alembic_config(database_url), revision)
        return
    asyncio.run(_upgrade_locked(database_url, revision))


async def _upgrade_locked(database_url: str, revision: str) -> None:
    from alembic import command
    from sqlalchemy.pool import NullPool

    def migrate(connection) -> None:  # noqa: ANN001 - a sync Connection inside run_sync
        config = alembic_config(database_url)
        config.attributes["connection"] = connection  # migrations/env.py runs on this connection
        command.upgrade(config, revision)

    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await conn.commit()  # the lock is the session's; each migration commits on its own
            try:
                await conn.run_sync(migrate)
                await conn.commit()
            finally:
                await conn.rollback()
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                await conn.commit()
    finally:
        await engine.dispose()
