"""Credentials, the work the API and the dashboard share: the reads of queries.py, the edits of editing.py,
and the small lookups other pages need (the credentials to choose from). The dashboard imports this module,
never the credential tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Competency, Credential, CredentialImport
from service.credentials.queries import (
    competency_page,
    export_view,
    get_credential_row,
    list_credentials,
    live_competencies,
    read_credential,
)

__all__ = [
    "competency_or_none",
    "competency_page",
    "credential_names",
    "credential_choices",
    "credential_or_none",
    "export_view",
    "get_credential_row",
    "list_credentials",
    "live_competencies",
    "read_credential",
    "unfinished_imports",
]


async def unfinished_imports(session: AsyncSession, org_id: int, limit: int = 5) -> list[CredentialImport]:
    """The organisation's credential imports queued or running, oldest first."""
    rows = await session.scalars(
        select(CredentialImport)
        .where(CredentialImport.org_id == org_id, CredentialImport.status.in_(("queued", "running")))
        .order_by(CredentialImport.id)
        .limit(limit)
    )
    return list(rows)


async def credential_choices(session: AsyncSession, org_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organisation's live credentials, by name: what a form offers to choose from."""
    rows = await session.execute(
        select(Credential.id, Credential.name)
        .where(Credential.org_id == org_id, Credential.deleted_at.is_(None))
        .order_by(Credential.name)
    )
    return [(credential_id, name) for credential_id, name in rows.all()]


async def credential_names(session: AsyncSession, org_id: int) -> dict[int, str]:
    """Every credential of the organisation (deleted ones too: old alerts name them) by id, in name order."""
    rows = await session.execute(
        select(Credential.id, Credential.name).where(Credential.org_id == org_id).order_by(Credential.name)
    )
    return dict(rows.all())


async def competency_or_none(
    session: AsyncSession, org_id: int, competency_id: int | None
) -> Competency | None:
    """The organisation's competency (deleted ones too), or None."""
    if competency_id is None:
        return None
    row = await session.get(Competency, competency_id)
    return row if row is not None and row.org_id == org_id else None


async def credential_or_none(
    session: AsyncSession, org_id: int, credential_id: int | None
) -> Credential | None:
    """The organisation's credential (deleted ones too: a survey about it still names it), or None."""
    if credential_id is None:
        return None
    row = await session.get(Credential, credential_id)
    return row if row is not None and row.org_id == org_id else None
