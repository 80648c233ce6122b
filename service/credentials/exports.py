"""The credential as others read it: the CTDL-ASN JSON-LD and CASE 1.1 CFPackage documents the API and the
CLI serve (one function each, so both give the same bytes)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.auth.models import Organisation
from service.credentials.formats.case_write import write_case
from service.credentials.formats.ctdl_write import write_ctdl
from service.credentials.models import Competency
from service.credentials.queries import export_view, get_credential_row
from service.settings import CredentialsSettings


async def _author(session: AsyncSession, org_id: int) -> str:
    organisation = await session.get(Organisation, org_id)
    return organisation.name if organisation else "skillpulse"


async def ctdl_document(
    session: AsyncSession, org_id: int, credential_id: int, settings: CredentialsSettings, suggested: bool
) -> dict:
    """CTDL-ASN JSON-LD of one credential of `org_id` (404 for others); `suggested` adds unreviewed links."""
    view = await export_view(session, org_id, credential_id, suggested=suggested)
    return write_ctdl(view, author=await _author(session, org_id), base_url=settings.ctdl_base_url)


async def case_package(
    session: AsyncSession, org_id: int, credential_id: int, settings: CredentialsSettings, suggested: bool
) -> dict:
    """The CASE CFPackage of one credential of `org_id`; lastChangeDateTime is its latest edit."""
    row = await get_credential_row(session, org_id, credential_id)
    view = await export_view(session, org_id, credential_id, suggested=suggested)
    latest = await session.scalar(
        select(func.max(Competency.updated_at)).where(col(Competency.credential_id) == credential_id)
    )
    changed = max(row.updated_at, latest) if latest else row.updated_at
    return write_case(
        view, author=await _author(session, org_id), base_url=settings.ctdl_base_url, changed=changed
    )
