"""Re-encrypt every stored secret with the first key of SKILLPULSE_SECRET_KEYS (`skillpulse secrets rotate`).

Reads and writes the raw columns (not through the encrypted column types), so a value encrypted under any
configured key, or a plaintext one left by a release before encryption at rest, comes out under the first key.
Queued mail from such a release gets its live link moved into `outbox_email.link_token` as well. Each text
value is replaced only if it is still what was read, so running it beside a live service loses no
concurrent change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advanced_alchemy.types import JsonB
from sqlalchemy import Text, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.crypto import Keyring
from service.db import session_scope
from surveys.mail import LINK_TOKEN

_webhook = table("webhook", column("id"), column("secret", Text))
_source = table("import_source", column("id"), column("config", JsonB))
_outbox = table(
    "outbox_email", column("id"), column("status", Text), column("body", Text), column("link_token", Text)
)
_LIVE_LINK = re.compile(r"/s/([A-Za-z0-9_-]{20,100})(?=/opt-out\b|\s|$)")


@dataclass
class Rotated:
    webhook_secrets: int = 0
    source_configs: int = 0
    mail_links: int = 0
    legacy_mail_sealed: int = 0


async def _webhooks(session: AsyncSession, keyring: Keyring) -> int:
    count = 0
    for hook_id, stored in (await session.execute(select(_webhook.c.id, _webhook.c.secret))).all():
        result = await session.execute(
            update(_webhook)
            .where(_webhook.c.id == hook_id, _webhook.c.secret == stored)
            .values(secret=keyring.rotate(stored))
        )
        count += result.rowcount
    return count


async def _sources(session: AsyncSession, keyring: Keyring) -> int:
    count = 0
    for source_id, config in (await session.execute(select(_source.c.id, _source.c.config))).all():
        rotated = keyring.rotate_config(config or {})
        if rotated != (config or {}):
            await session.execute(update(_source).where(_source.c.id == source_id).values(config=rotated))
            count += 1
    return count


async def _mail(session: AsyncSession, keyring: Keyring) -> tuple[int, int]:
    rotated = sealed = 0
    rows = await session.execute(
        select(_outbox.c.id, _outbox.c.body, _outbox.c.link_token).where(
            _outbox.c.status.in_(("pending", "held"))
        )
    )
    for mail_id, body, link_token in rows.all():
        if link_token is not None:
            changed = keyring.rotate(link_token)
            values = {"link_token": changed}
            where = _outbox.c.link_token == link_token
        else:
            found = _LIVE_LINK.search(body or "")
            if not found:
                continue
            token = found.group(1)
            values = {
                "link_token": keyring.encrypt(token),
                "body": body.replace(f"/s/{token}", f"/s/{LINK_TOKEN}"),
            }
            where = _outbox.c.link_token.is_(None) & (_outbox.c.body == body)
        result = await session.execute(
            update(_outbox)
            .where(_outbox.c.id == mail_id, _outbox.c.status.in_(("pending", "held")), where)
            .values(**values)
        )
        if result.rowcount:
            if link_token is not None:
                rotated += 1
            else:
                sealed += 1
    return rotated, sealed


async def rotate_all(engine: AsyncEngine, keyring: Keyring) -> Rotated:
    """Everything re-encrypted under the first key, in one transaction (all or nothing)."""
    async with session_scope(engine) as session:
        done = Rotated(await _webhooks(session, keyring), await _sources(session, keyring))
        done.mail_links, done.legacy_mail_sealed = await _mail(session, keyring)
    return done
