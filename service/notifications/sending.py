"""Building and queueing the digests of a period: once per user and period, across firings and replicas.

Each user's digest is one transaction: claim the (user, period, start) row of `alert_digest` (insert or
nothing: a second firing, a second replica or `skillpulse alerts send-digests` run meanwhile finds it and
does nothing; on PostgreSQL a concurrent insert waits for the first to commit, then does nothing), gather the
alert changes, and queue the mail in the surveys' outbox, which sends it over SMTP with retries. An empty
period keeps its row (so it is not built again) and sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from service.auth.models import User
from service.db import insert_or_nothing
from service.demand.alert_changes import alert_changes
from service.notifications.digest import compose_digest, period_bounds
from service.notifications.models import DEFAULT_DIGEST, AlertDigest, NotificationPreference
from service.notifications.tokens import unsubscribe_token
from surveys.mail import LINK_TOKEN
from surveys.models import OutboxEmail
from surveys.outbox import Sealer

log = logging.getLogger("skillpulse.notifications")

UNSUBSCRIBE_PATH = "/app/notifications/unsubscribe/"


@dataclass
class DigestRun:
    """What one pass did: digests queued, periods with nothing to tell, users already done for the period."""

    period: str
    period_start: datetime
    queued: int = 0
    empty: int = 0
    already_done: int = 0


@dataclass(frozen=True, slots=True)
class _Reader:
    user_id: int
    org_id: int
    email: str
    name: str
    credential_ids: list[int] | None


async def _readers(session: AsyncSession, period: str) -> list[_Reader]:
    """Active users whose digest is this period (no preference stored: the default, weekly)."""
    chosen = func.coalesce(NotificationPreference.digest, DEFAULT_DIGEST)
    rows = await session.execute(
        select(
            col(User.id),
            col(User.org_id),
            col(User.email),
            col(User.name),
            col(NotificationPreference.credential_ids),
        )
        .outerjoin(NotificationPreference, col(NotificationPreference.user_id) == User.id)
        .where(col(User.is_active).is_(True), chosen == period)
        .order_by(col(User.id))
    )
    return [_Reader(uid, org, email, name or "", ids) for uid, org, email, name, ids in rows.all()]


async def _claim(
    session: AsyncSession, reader: _Reader, period: str, start: datetime, end: datetime
) -> int | None:
    values = {
        "org_id": reader.org_id,
        "user_id": reader.user_id,
        "period": period,
        "period_start": start,
        "period_end": end,
        "alerts": 0,
    }
    keys = ["user_id", "period", "period_start"]
    stmt = insert_or_nothing(session.bind.dialect.name, AlertDigest, keys).values(**values)
    return await session.scalar(stmt.returning(col(AlertDigest.id)))


async def _one(
    session: AsyncSession,
    reader: _Reader,
    period: str,
    bounds: tuple[datetime, datetime],
    base_url: str,
    secret: str,
    sealer: Sealer,
) -> str:
    start, end = bounds
    digest_id = await _claim(session, reader, period, start, end)
    if digest_id is None:
        return "already_done"
    changes = await alert_changes(session, reader.org_id, start, end, reader.credential_ids)
    unsubscribe = f"{base_url.rstrip('/')}{UNSUBSCRIBE_PATH}{LINK_TOKEN}"
    digest = compose_digest(period, start, end, reader.name, changes, base_url, unsubscribe)
    if digest is None:
        return "empty"
    mail = OutboxEmail(
        org_id=reader.org_id,
        kind="digest",
        to_address=reader.email,
        subject=digest.subject,
        body=digest.body,
        link_token=sealer.encrypt(unsubscribe_token(reader.user_id, secret)),
    )
    session.add(mail)
    await session.flush()
    stored = await session.get(AlertDigest, digest_id)
    if stored is not None:
        stored.alerts, stored.outbox_email_id = digest.alerts, mail.id
    return "queued"


async def queue_digests(
    maker: async_sessionmaker[AsyncSession],
    period: str,
    now: datetime,
    base_url: str,
    secret: str,
    sealer: Sealer,
) -> DigestRun:
    """Queue the digest of the last full `period` before `now` for every user who wants it."""
    bounds = period_bounds(period, now)
    run = DigestRun(period, bounds[0])
    async with maker() as session:
        readers = await _readers(session, period)
    for reader in readers:
        try:
            async with maker() as session, session.begin():
                outcome = await _one(session, reader, period, bounds, base_url, secret, sealer)
        except Exception:  # noqa: BLE001 - one user's failure must not stop the others' digests
            log.exception("digest for user %s (%s %s) failed", reader.user_id, period, bounds[0].date())
            continue
        setattr(run, outcome, getattr(run, outcome) + 1)
    return run
