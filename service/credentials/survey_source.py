"""The credentials side of surveys' `CredentialSource` port (surveys.caller): a credential's name and its live
competencies, read from the credential tables, for a survey to be generated from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.credentials.models import Competency, Credential
from surveys.caller import CompetencyRow, SurveyedCredential


class CredentialsForSurveys:
    """Implements surveys.caller.CredentialSource over the service's credential and competency tables."""

    async def credential_for_survey(
        self, session: AsyncSession, org_id: int, credential_id: int
    ) -> SurveyedCredential | None:
        credential = await session.get(Credential, credential_id)
        if credential is None or credential.org_id != org_id or credential.deleted_at is not None:
            return None
        rows = await session.execute(
            select(col(Competency.id), col(Competency.text), col(Competency.label))
            .where(
                col(Competency.credential_id) == credential_id,
                col(Competency.org_id) == org_id,
                col(Competency.deleted_at).is_(None),
            )
            .order_by(col(Competency.position), col(Competency.id))
        )
        competencies = [CompetencyRow(id=row.id, text=row.text or "", label=row.label) for row in rows]
        return SurveyedCredential(id=credential_id, name=credential.name, competencies=competencies)


CREDENTIALS_FOR_SURVEYS = CredentialsForSurveys()
