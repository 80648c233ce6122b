"""HTTP: import sources (job boards and feeds), running one now, and its runs. The work is in
service.postings.sources; this module says its outcomes in HTTP."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, TypeVar

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from kernel.di import DbSession
from kernel.schemas import Page
from service.dependencies import CurrentPrincipal
from service.postings import sources
from service.postings.models import ImportRun, ImportSource
from service.postings.preview import PreviewFailed, preview_feed
from service.postings.run_jobs import task_key
from service.postings.schemas import (
    ImportRunRead,
    ImportSourceCreate,
    ImportSourcePreview,
    ImportSourcePreviewRead,
    ImportSourceRead,
    ImportSourceUpdate,
    SourceId,
)
from service.tasks import tasks_of

ImportRunId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="Import run id.")]
T = TypeVar("T")


async def _http(work: Awaitable[T]) -> T:
    """The service's outcome in HTTP terms."""
    try:
        return await work
    except sources.SourceNotFound as exc:
        raise NotFoundException(str(exc)) from None
    except sources.SourceInvalid as exc:
        raise ClientException(str(exc), status_code=400) from None
    except sources.SourceConflict as exc:
        raise ClientException(str(exc), status_code=409) from None
    except sources.SourceBusy as exc:
        raise ClientException(f"{exc}; see its runs", status_code=409) from None
    except sources.ServerStopping as exc:
        raise ClientException(str(exc), status_code=503) from None
    except PreviewFailed as exc:
        raise ClientException(f"the feed could not be read: {exc}", status_code=422) from None


def _read(source: ImportSource, last: ImportRun | None) -> ImportSourceRead:
    data = ImportSourceRead.model_validate(source, from_attributes=True)
    data.last_run = ImportRunRead.model_validate(last) if last is not None else None
    return data


async def _read_one(db_session: DbSession, source: ImportSource) -> ImportSourceRead:
    last = await sources.last_runs(db_session, [source.id])
    return _read(source, last.get(source.id))


class ImportSourceController(Controller):
    path = "/api/v1/import-sources"
    tags = ["import sources"]

    @post("/", operation_id="createImportSource", raises=[ClientException])
    async def create(
        self, data: JSONBody[ImportSourceCreate], db_session: DbSession, principal: CurrentPrincipal
    ) -> ImportSourceRead:
        return _read(await _http(sources.create_source(db_session, principal.org_id, data)), None)

    @post("/preview", operation_id="previewImportSource", status_code=200, raises=[ClientException])
    async def preview(
        self, request: Request, data: JSONBody[ImportSourcePreview], principal: CurrentPrincipal
    ) -> ImportSourcePreviewRead:
        """Fetch the feed once and answer with the first postings it would import; nothing is stored. A
        setting that is not valid is a 400; a feed that cannot be fetched or read (an address that is not
        public included) is a 422 saying why."""
        return await _http(preview_feed(request.app.state.settings, data))

    @get("/", operation_id="listImportSources")
    async def list_sources(
        self, db_session: DbSession, principal: CurrentPrincipal
    ) -> list[ImportSourceRead]:
        rows = await sources.list_sources(db_session, principal.org_id)
        last = await sources.last_runs(db_session, [r.id for r in rows])
        return [_read(r, last.get(r.id)) for r in rows]

    @get("/{source_id:int}", operation_id="getImportSource", raises=[NotFoundException])
    async def get_one(
        self, source_id: SourceId, db_session: DbSession, principal: CurrentPrincipal
    ) -> ImportSourceRead:
        source = await _http(sources.get_source(db_session, principal.org_id, source_id))
        return await _read_one(db_session, source)

    @patch("/{source_id:int}", operation_id="updateImportSource", raises=[NotFoundException, ClientException])
    async def update(
        self,
        source_id: SourceId,
        data: JSONBody[ImportSourceUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> ImportSourceRead:
        source = await _http(sources.get_source(db_session, principal.org_id, source_id))
        await _http(sources.update_source(db_session, source, data))
        return await _read_one(db_session, source)

    @delete("/{source_id:int}", operation_id="deleteImportSource", raises=[NotFoundException])
    async def remove(self, source_id: SourceId, db_session: DbSession, principal: CurrentPrincipal) -> None:
        """Deletes the source and its runs; its postings stay (they are evidence already counted)."""
        source = await _http(sources.get_source(db_session, principal.org_id, source_id))
        await sources.delete_source(db_session, source)

    @post(
        "/{source_id:int}/run",
        operation_id="runImportSource",
        status_code=HTTP_202_ACCEPTED,
        raises=[NotFoundException, ClientException],
        response_headers=[
            ResponseHeader(name="Location", description="The run to poll", documentation_only=True)
        ],
    )
    async def run_now(
        self, request: Request, source_id: SourceId, principal: CurrentPrincipal
    ) -> Response[ImportRunRead]:
        """Start the source's import now: 202 with the running run and its `Location` to poll (a failed fetch
        is a failed run, not an HTTP error); 409 while the source is being imported."""
        run = await _http(sources.run_now(request.app, principal.org_id, source_id))
        return Response(
            ImportRunRead.model_validate(run),
            status_code=HTTP_202_ACCEPTED,
            headers={"Location": f"/api/v1/import-sources/{source_id}/runs/{run.id}"},
        )

    @get("/{source_id:int}/runs/{import_run_id:int}", operation_id="getImportRun", raises=[NotFoundException])
    async def get_run(
        self,
        request: Request,
        source_id: SourceId,
        import_run_id: ImportRunId,
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> ImportRunRead:
        """One run of the source: running, then succeeded with its counts or failed with its error."""
        run = await _http(sources.get_run(db_session, principal.org_id, source_id, import_run_id))
        read = ImportRunRead.model_validate(run)
        if run.status == "running":
            read.progress = tasks_of(request.app).progress(task_key(source_id))
        return read

    @get("/{source_id:int}/runs", operation_id="listImportRuns", raises=[NotFoundException])
    async def runs(
        self,
        source_id: SourceId,
        db_session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> Page[ImportRunRead]:
        """Newest first."""
        rows, total = await _http(
            sources.list_runs(db_session, principal.org_id, source_id, limit=limit, offset=offset)
        )
        return Page(
            items=[ImportRunRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
        )
