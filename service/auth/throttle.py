"""Password sign-in throttling per e-mail address and per client address, counted in the database.

Each key (``account:`` + e-mail, ``address:`` + client address, stored as a SHA-256) has a streak of failures:
a failure within `failure_window_seconds` of the previous one extends it, a later one starts a new streak.
From the streak's `max_failures`-th failure on, the key is blocked for `block_seconds`, doubled for each
further failure (capped at `max_block_seconds`). While blocked, attempts answer 429 with Retry-After without
checking the password, so they neither extend the block nor reveal whether the password was right.
A successful sign-in ends the account's streak (never the address's, or one valid account would let an
attacker reset their address's count). The failure write is one atomic upsert, so concurrent replicas count
every failure; unknown e-mail addresses are counted exactly like known ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.clock import utcnow
from service.auth.models import SignInThrottle
from service.db import session_scope
from service.security import token_digest
from service.settings import AuthSettings


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int


def keys_for(settings: AuthSettings, email: str, address: str | None) -> list[Limit]:
    limits = [Limit(token_digest("account:" + email.strip().lower()), settings.account_max_failures)]
    if address:
        limits.append(Limit(token_digest("address:" + address), settings.address_max_failures))
    return limits


def block_seconds(settings: AuthSettings, failures: int, max_failures: int) -> float:
    """How long a streak of `failures` blocks its key (0: not yet blocked). Pure."""
    if failures < max_failures:
        return 0.0
    doublings = min(failures - max_failures, 30)
    return min(settings.block_seconds * 2**doublings, settings.max_block_seconds)


def retry_after_seconds(blocked_until: datetime | None, now: datetime) -> int:
    """Whole seconds until `blocked_until` (0: not blocked), rounded up so a client that waits is let in."""
    if blocked_until is None or blocked_until <= now:
        return 0
    return max(1, math.ceil((blocked_until - now).total_seconds()))


async def blocked_for(engine: AsyncEngine, limits: list[Limit]) -> int:
    """Seconds the caller must wait before another attempt with these keys, else 0."""
    now = utcnow()
    async with session_scope(engine) as session:
        rows = await session.scalars(
            select(SignInThrottle.blocked_until).where(
                SignInThrottle.key.in_([limit.key for limit in limits])
            )
        )
        return max((retry_after_seconds(until, now) for until in rows), default=0)


async def record_failure(engine: AsyncEngine, settings: AuthSettings, limits: list[Limit]) -> None:
    now = utcnow()
    window_start = now - timedelta(seconds=settings.failure_window_seconds)
    async with session_scope(engine) as session:
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        table = SignInThrottle.__table__
        for limit in limits:
            statement = insert(table).values(
                key=limit.key, failures=1, last_failure_at=now, blocked_until=None
            )
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "failures": case((table.c.last_failure_at < window_start, 1), else_=table.c.failures + 1),
                    "last_failure_at": now,
                },
            ).returning(table.c.failures)
            failures = (await session.execute(statement)).scalar_one()
            seconds = block_seconds(settings, failures, limit.max_failures)
            if seconds:
                await session.execute(
                    table.update()
                    .where(table.c.key == limit.key)
                    .values(blocked_until=now + timedelta(seconds=seconds))
                )
        # forget streaks that have ended and blocks that have run out
        await session.execute(
            delete(table).where(
                table.c.last_failure_at < window_start,
                or_(table.c.blocked_until.is_(None), table.c.blocked_until < now),
            )
        )


async def record_success(engine: AsyncEngine, limits: list[Limit]) -> None:
    """Ends the account's streak (the first key); the address keeps its count."""
    async with session_scope(engine) as session:
        await session.execute(delete(SignInThrottle).where(SignInThrottle.key == limits[0].key))
