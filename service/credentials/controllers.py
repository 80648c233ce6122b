"""HTTP: credentials, their import and CSV export (CTDL and CASE: export_controllers), competency edits,
and the review of skill links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from kernel.di import DbSession
from kernel.schemas import Page
from service.credentials import editing, queries
from service.credentials.export_controllers import route_handlers as export_handlers
from service.credentials.formats import CredentialFormatError
from service.credentials.formats.csv_read import write_csv
from service.credentials.formats.detect import UnsupportedContentType, media_type
from service.credentials.formats.registry_graph import registry_request
from service.credentials.import_jobs import queue_import, to_read
from service.credentials.import_jobs import task_key as import_task_key
from service.credentials.importing import (
    CredentialConflict,
    ImportLimits,
    ImportTooLarge,
    import_parsed,
    native_to_parsed,
    parse_upload,
)
from service.credentials.linkstore import LinkingUnavailable
from service.credentials.models import CredentialImport
from service.credentials.registry import REGISTRY_STATUS, fetch_credential
from service.credentials.schemas import (
    CompetencyRead,
    CompetencyUpdate,
    CredentialCreate,
    CredentialImportRead,
    CredentialRead,
    CredentialSummary,
    CredentialUpdate,
    ImportReport,
    LinkCreate,
    LinkRead,
    LinkReview,
)
from service.dependencies import CurrentPrincipal, Nlp
from service.settings import Settings
from service.tasks import tasks_of


@dataclass
class ImportOperation(Operation):
    """The import body is a document, not a JSON model: say in OpenAPI which media types it accepts."""

    def __post_init__(self) -> None:
        document = OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT))
        self.request_body = RequestBody(
            required=True,
            description="A CTDL JSON-LD graph or registry envelope, a CASE CFPackage, the CSV template, or "
            '{"ctid": "ce-…"} / {"url": "https://…"} (application/json): import from the Credential '
            "Registry.",
            content={
                "application/ld+json": document,
                "application/json": document,
                "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


ERROR_RESPONSES = {
    413: ResponseSpec(None, description="The document is larger than one import may be"),
    415: ResponseSpec(None, description="Unsupported content type"),
    503: ResponseSpec(None, description="Skill linking is unavailable; nothing was stored"),
    404: ResponseSpec(None, description="The Credential Registry (or the URL) has no such resource"),
    422: ResponseSpec(None, description="The registry resource is not an importable credential"),
    502: ResponseSpec(None, description="The registry could not be reached or answered no CTDL"),
}
LINKING_RESPONSES = {503: ERROR_RESPONSES[503]}


def _client_error(exc: Exception) -> HTTPException:
    for kind, status in REGISTRY_STATUS.items():
        if isinstance(exc, kind):
            return HTTPException(str(exc), status_code=status)
    if isinstance(exc, UnsupportedContentType):
        return ClientException(str(exc), status_code=415)
    if isinstance(exc, ImportTooLarge):
        return ClientException(str(exc), status_code=413)
    if isinstance(exc, CredentialConflict):
        return ClientException(str(exc), status_code=409)
    if isinstance(exc, LinkingUnavailable):
        return ClientException(str(exc), status_code=503)
    return ClientException(str(exc), status_code=400)


EXPECTED = (CredentialFormatError, CredentialConflict, LinkingUnavailable, editing.UnknownConcept)


BACKGROUND_RESPONSE = ResponseSpec(
    CredentialImportRead,
    description="A large import, queued: poll its Location (GET /api/v1/credentials/imports/{id})",
)


def _wants_async(request: Request) -> bool:
    """RFC 7240: `Prefer: respond-async` asks for 202 whatever the size."""
    return any(
        part.strip().lower() == "respond-async"
        for value in request.headers.getall("prefer", [])
        for part in value.split(",")
    )


def import_limits(settings: Settings) -> ImportLimits:
    return ImportLimits(
        max_bytes=settings.credentials.max_import_bytes,
        max_competencies=settings.credentials.max_import_competencies,
    )


async def _read_limited(request: Request, limits: ImportLimits) -> bytes:
    """The body, refused (413) from its Content-Length before a byte is read, or as soon as it grows past the
    limit: an oversized document is never held in memory whole nor parsed."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        limits.check_size(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        limits.check_size(size, partial=True)
        chunks.append(chunk)
    return b"".join(chunks)


class CredentialController(Controller):
    path = "/api/v1/credentials"
    tags = ["credentials"]

    @get("/", operation_id="listCredentials")
    async def list_all(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> Page[CredentialSummary]:
        if not 1 <= limit <= 500 or offset < 0:
            raise ClientException("limit must be 1–500 and offset at least 0")
        return await queries.list_credentials(db_session, principal.org_id, q, limit, offset)

    @post(
        "/",
        operation_id="createCredential",
        raises=[ClientException],
        status_code=HTTP_201_CREATED,
        responses=LINKING_RESPONSES,
    )
    async def create(
        self, data: JSONBody[CredentialCreate], db_session: DbSession, principal: CurrentPrincipal, nlp: Nlp
    ) -> CredentialRead:
        try:
            [result] = await import_parsed(
                db_session, principal.org_id, [native_to_parsed(data)], nlp, create_only=True
            )
        except EXPECTED as exc:
            raise _client_error(exc) from None
        return await queries.read_credential(db_session, principal.org_id, result.id)

    @post(
        "/import",
        operation_id="importCredentials",
        raises=[ClientException],
        operation_class=ImportOperation,
        responses={**ERROR_RESPONSES, 202: BACKGROUND_RESPONSE},
        status_code=HTTP_200_OK,
        description="Body: CTDL JSON-LD (application/ld+json), a CASE CFPackage (application/json) "
        "or the CSV "
        'template (text/csv); `{"ctid"}` or `{"url"}` fetches the credential and its frameworks from the '
        "Credential Registry. Re-importing updates in place and keeps review decisions. A document with more "
        "competencies than SKILLPULSE_CREDENTIALS_BACKGROUND_IMPORT_COMPETENCIES (or any sent with "
        "`Prefer: respond-async`) answers 202 with the queued import and its Location to poll.",
    )
    async def import_file(
        self, request: Request, db_session: DbSession, principal: CurrentPrincipal, nlp: Nlp
    ) -> Response[ImportReport]:  # a 202 carries a CredentialImportRead (see BACKGROUND_RESPONSE)
        settings = request.app.state.settings
        limits = import_limits(settings)
        try:
            body = await _read_limited(request, limits)
            if not body.strip():
                raise ClientException("the body is empty: send a CTDL, CASE or CSV document")
            wanted = registry_request(body, media_type(request.headers.get("content-type")))
            if wanted is not None:
                parsed = await fetch_credential(settings, wanted, limits)
            else:
                parsed = await parse_upload(body, request.headers.get("content-type"), limits)
            competencies = sum(len(p.competencies) for p in parsed)
            if competencies > settings.credentials.background_import_competencies or _wants_async(request):
                try:
                    queued = await queue_import(request.app, principal.org_id, parsed)
                except RuntimeError as exc:
                    raise ClientException(str(exc), status_code=503) from None
                headers = {"Location": f"/api/v1/credentials/imports/{queued.id}"}
                if _wants_async(request):
                    headers["Preference-Applied"] = "respond-async"
                return Response(to_read(queued), status_code=HTTP_202_ACCEPTED, headers=headers)
            results = await import_parsed(db_session, principal.org_id, parsed, nlp)
        except EXPECTED as exc:
            raise _client_error(exc) from None
        return Response(
            ImportReport(format=parsed[0].source_format if parsed else "", credentials=results),
            status_code=HTTP_200_OK,
        )

    @get(
        "/imports/{credential_import_id:int}",
        operation_id="getCredentialImport",
        raises=[NotFoundException],
        description="A background import: queued, running (with progress), then succeeded with its report or "
        "failed with the reason (nothing of a failed document is stored).",
    )
    async def get_import(
        self,
        request: Request,
        credential_import_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> CredentialImportRead:
        row = await db_session.get(CredentialImport, credential_import_id)
        if row is None or row.org_id != principal.org_id:
            raise NotFoundException(f"credential import {credential_import_id} not found")
        return to_read(row, tasks_of(request.app).progress(import_task_key(row.id)))

    @get("/{credential_id:int}", operation_id="getCredential", raises=[NotFoundException])
    async def get_one(
        self, credential_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> CredentialRead:
        return await queries.read_credential(db_session, principal.org_id, credential_id)

    @get(
        "/{credential_id:int}/competencies",
        operation_id="listCredentialCompetencies",
        raises=[NotFoundException],
        description="The credential's competencies with their links, a page at a time (a large credential "
        "reads in pages instead of one large document).",
    )
    async def competencies(
        self,
        credential_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> Page[CompetencyRead]:
        return await queries.competency_page(db_session, principal.org_id, credential_id, limit, offset)

    @patch(
        "/{credential_id:int}",
        operation_id="updateCredential",
        raises=[NotFoundException, ClientException],
        responses=LINKING_RESPONSES,
    )
    async def update(
        self,
        credential_id: FromPath[int],
        data: JSONBody[CredentialUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
        nlp: Nlp,
    ) -> CredentialRead:
        try:
            await editing.update_credential(db_session, principal.org_id, credential_id, data, nlp)
        except EXPECTED as exc:
            raise _client_error(exc) from None
        return await queries.read_credential(db_session, principal.org_id, credential_id)

    @delete("/{credential_id:int}", operation_id="deleteCredential", raises=[NotFoundException])
    async def remove(
        self, credential_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> None:
        await editing.delete_credential(db_session, principal.org_id, credential_id)

    @get(
        "/{credential_id:int}/csv",
        operation_id="exportCredentialCsv",
        raises=[NotFoundException],
        media_type="text/csv",
        description="The credential in the CSV template, with competency ids: edit it in a spreadsheet "
        "and import it again; edited statements keep their reviewed links.",
    )
    async def export_csv(
        self, credential_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> Response[str]:
        view = await queries.export_view(db_session, principal.org_id, credential_id)
        filename = re.sub(r"[^A-Za-z0-9._-]+", "-", view.name).strip("-")[:80] or "credential"
        return Response(
            write_csv([view]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )

    @post(
        "/{credential_id:int}/relink",
        operation_id="relinkCredential",
        raises=[NotFoundException, ClientException],
        responses=LINKING_RESPONSES,
        status_code=HTTP_200_OK,
        description="Link every competency again (after a taxonomy or model change); reviewed "
        "links stay as they are.",
    )
    async def relink(
        self, credential_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal, nlp: Nlp
    ) -> dict[str, int]:
        try:
            return await editing.relink_credential(db_session, principal.org_id, credential_id, nlp)
        except EXPECTED as exc:
            raise _client_error(exc) from None


class CompetencyController(Controller):
    path = "/api/v1"
    tags = ["credentials"]

    @patch(
        "/competencies/{competency_id:int}",
        operation_id="updateCompetency",
        raises=[NotFoundException],
        responses=LINKING_RESPONSES,
    )
    async def update_competency(
        self,
        competency_id: FromPath[int],
        data: JSONBody[CompetencyUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
        nlp: Nlp,
    ) -> CompetencyRead:
        try:
            row = await editing.update_competency(db_session, principal.org_id, competency_id, data, nlp)
        except EXPECTED as exc:
            raise _client_error(exc) from None
        links = await queries.links_of(db_session, [row.id])
        return CompetencyRead.model_validate(row).model_copy(
            update={"links": [LinkRead.model_validate(x) for x in links[row.id]]}
        )

    @patch(
        "/competency-skills/{competency_skill_id:int}",
        operation_id="reviewCompetencySkill",
        raises=[NotFoundException],
    )
    async def review(
        self,
        competency_skill_id: FromPath[int],
        data: JSONBody[LinkReview],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> LinkRead:
        link = await editing.review_link(
            db_session, principal.org_id, principal.user_id, competency_skill_id, data.status
        )
        return LinkRead.model_validate(link)

    @post(
        "/competency-skills", operation_id="addCompetencySkill", raises=[NotFoundException, ClientException]
    )
    async def add(
        self, data: JSONBody[LinkCreate], db_session: DbSession, principal: CurrentPrincipal, nlp: Nlp
    ) -> Response[LinkRead]:
        try:
            link, created = await editing.add_link(
                db_session,
                principal.org_id,
                principal.user_id,
                data.competency_id,
                data.concept_id,
                data.concept_label,
                nlp,
            )
        except EXPECTED as exc:
            raise _client_error(exc) from None
        return Response(
            LinkRead.model_validate(link), status_code=HTTP_201_CREATED if created else HTTP_200_OK
        )


route_handlers = [CredentialController, CompetencyController, *export_handlers]
