"""Seeds for the postings routes in the authorisation matrix (made through the intake service)."""

from __future__ import annotations

import uuid

from litestar import Litestar

from service.db import session_scope
from service.postings.intake import store_postings
from service.postings.models import ImportRun, ImportSource
from service.postings.records import PostingRecord, normalise
from tests.support.factories import Tenant


async def seed_posting(app: Litestar, tenant: Tenant) -> int:
    record = PostingRecord(
        source="seed",
        external_id=uuid.uuid4().hex,
        title="IT Support Specialist",
        text="Troubleshoot Windows workstations.",
    )
    async with session_scope(app.state.engine) as session:
        summary = await store_postings(session, tenant.org_id, [normalise(record)])
    return summary.items[0].id


async def seed_source(app: Litestar, tenant: Tenant) -> int:
    async with session_scope(app.state.engine) as session:
        source = ImportSource(
            org_id=tenant.org_id,
            kind="rss",
            name=f"seed {uuid.uuid4().hex[:8]}",
            url="http://127.0.0.1:9/feed.xml",
            enabled=False,
        )
        session.add(source)
        await session.flush()
        return source.id


async def seed_import_run(app: Litestar, tenant: Tenant) -> int:
    """A finished run of a source of the tenant (the matrix fills source_id with another seeded source, so the
    GET by another organisation is a 404 either way)."""
    source_id = await seed_source(app, tenant)
    async with session_scope(app.state.engine) as session:
        run = ImportRun(org_id=tenant.org_id, source_id=source_id, status="succeeded")
        session.add(run)
        await session.flush()
        return run.id


SEEDS = {"posting_id": seed_posting, "source_id": seed_source, "import_run_id": seed_import_run}
BODIES = {"updateImportSource": {"enabled": False}, "runImportSource": {}}
