"""HTTP: a credential's CTDL-ASN and CASE exports (GET /api/v1/credentials/{id}/ctdl and /case)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from kernel.di import DbSession
from service.credentials.exports import case_package, ctdl_document
from service.dependencies import CurrentPrincipal

SUGGESTED = " With `suggested=true`, links no one has reviewed yet are added too (rejected links never are)."


class CredentialExportController(Controller):
    path = "/api/v1/credentials"
    tags = ["credentials"]

    @get(
        "/{credential_id:int}/ctdl",
        operation_id="exportCredentialCtdl",
        raises=[NotFoundException],
        media_type="application/ld+json",
        description="CTDL-ASN JSON-LD: the credential, its competency framework and competencies, @ids under "
        "SKILLPULSE_CREDENTIALS_CTDL_BASE_URL; confirmed concept links as ceasn:exactAlignment / "
        "ceasn:majorAlignment / ceasn:broadAlignment (unreviewed ones, when asked, as ceasn:minorAlignment)."
        + SUGGESTED,
    )
    async def export_ctdl(
        self,
        request: Request,
        credential_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        suggested: FromQuery[bool] = False,
    ) -> Response[dict]:
        settings = request.app.state.settings.credentials
        document = await ctdl_document(db_session, principal.org_id, credential_id, settings, suggested)
        return Response(document, media_type="application/ld+json")

    @get(
        "/{credential_id:int}/case",
        operation_id="exportCredentialCase",
        raises=[NotFoundException],
        media_type="application/json",
        description="1EdTech CASE 1.1 CFPackage: a CFDocument for the framework, a CFItem per competency "
        "(identifiers: the UUIDs of their CTIDs, stable), CFAssociations isChildOf for the hierarchy and "
        "exactMatchOf / isRelatedTo to the confirmed concepts." + SUGGESTED,
    )
    async def export_case(
        self,
        request: Request,
        credential_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        suggested: FromQuery[bool] = False,
    ) -> Response[dict]:
        settings = request.app.state.settings.credentials
        package = await case_package(db_session, principal.org_id, credential_id, settings, suggested)
        return Response(package, media_type="application/json")


route_handlers = [CredentialExportController]
