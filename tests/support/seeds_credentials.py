"""Seeds for the credentials routes of the authorisation matrix, made through the credentials services."""

from __future__ import annotations

import uuid

from litestar import Litestar
from sqlalchemy import select

from service.auth.models import User
from service.credentials.editing import add_link
from service.credentials.formats import ParsedCompetency, ParsedCredential
from service.credentials.importing import import_parsed
from service.credentials.models import Competency, CredentialImport
from service.db import session_scope
from tests.support.factories import Tenant


async def seed_credential(app: Litestar, tenant: Tenant) -> int:
    parsed = ParsedCredential(
        name=f"Seeded credential {uuid.uuid4().hex[:8]}",
        source_format="json",
        competencies=[ParsedCompetency(text="Install and configure Windows operating systems")],
    )
    async with session_scope(app.state.engine) as session:
        [result] = await import_parsed(session, tenant.org_id, [parsed], None)
        return result.id


async def seed_competency(app: Litestar, tenant: Tenant) -> int:
    credential_id = await seed_credential(app, tenant)
    async with session_scope(app.state.engine) as session:
        return await session.scalar(select(Competency.id).where(Competency.credential_id == credential_id))


async def seed_competency_skill(app: Litestar, tenant: Tenant) -> int:
    competency_id = await seed_competency(app, tenant)
    async with session_scope(app.state.engine) as session:
        user_id = await session.scalar(select(User.id).where(User.email == tenant.designer_email))
        link, _ = await add_link(
            session,
            tenant.org_id,
            user_id,
            competency_id,
            "https://college.example/skills/seeded",
            "Seeded skill",
            None,
        )
        return link.id


async def seed_credential_import(app: Litestar, tenant: Tenant) -> int:
    async with session_scope(app.state.engine) as session:
        row = CredentialImport(org_id=tenant.org_id, status="succeeded", format="csv")
        session.add(row)
        await session.flush()
        return row.id


SEEDS = {
    "credential_id": seed_credential,
    "credential_import_id": seed_credential_import,
    "competency_id": seed_competency,
    "competency_skill_id": seed_competency_skill,
}
BODIES = {
    "updateCredential": {"region": "Ohio"},
    "updateCompetency": {"level": 3},
    "reviewCompetencySkill": {"status": "confirmed"},
}
