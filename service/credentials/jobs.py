"""Scheduled work of the credentials domain: re-linking after a model or taxonomy update.

A credential records the extractor version its competencies were linked with (Credential.extra). When the
packaged model or taxonomy changes, or a credential was imported without linking (`--no-link`), the job links
its competencies again, a few credentials per run so that a large catalogue is spread over several runs.
Confirmed, rejected and hand-made links stay exactly as they are.
"""

from __future__ import annotations

import logging

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from service.credentials.editing import relink_credential
from service.credentials.linking import LINKED_VERSION, current_extractor_version
from service.credentials.models import Credential
from service.db import session_scope
from service.nlp_runner import NlpRunner
from service.scheduler import Scheduler

log = logging.getLogger("skillpulse.credentials")

RELINK_CRON = "*/15 * * * *"
CREDENTIALS_PER_RUN = 20


async def stale_credentials(
    engine: AsyncEngine, version: str, org_id: int | None = None
) -> list[tuple[int, int]]:
    """(credential id, organisation id) of live credentials not linked with `version`, oldest first."""
    query = select(Credential.id, Credential.org_id, Credential.extra).where(Credential.deleted_at.is_(None))
    if org_id is not None:
        query = query.where(Credential.org_id == org_id)
    async with session_scope(engine) as session:
        rows = await session.execute(query.order_by(Credential.id))
        return [(cid, org) for cid, org, extra in rows.all() if (extra or {}).get(LINKED_VERSION) != version]


async def relink_stale(
    engine: AsyncEngine, nlp_runner: NlpRunner, limit: int = CREDENTIALS_PER_RUN, org_id: int | None = None
) -> int:
    """Re-link up to `limit` stale credentials (of one organisation, or all), each in its own transaction;
    returns how many."""
    version = await nlp_runner.run(current_extractor_version)
    stale = (await stale_credentials(engine, version, org_id))[:limit]
    for credential_id, org_id in stale:
        async with session_scope(engine) as session:
            counts = await relink_credential(session, org_id, credential_id, nlp_runner, version=version)
        log.info("re-linked credential %s (%s) with %s: %s", credential_id, org_id, version, counts)
    return len(stale)


def register(scheduler: Scheduler, app: Litestar) -> None:
    engine, nlp_runner = app.state.engine, app.state.nlp

    async def relink_job() -> dict[str, int]:
        return {"credentials re-linked": await relink_stale(engine, nlp_runner)}

    scheduler.add_cron("credentials.relink-stale", RELINK_CRON, relink_job)
