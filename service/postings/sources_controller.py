"""HTTP: import sources (job boards and feeds), running one now, and its runs."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from service.dependencies import CurrentPrincipal, DbSession
from service.postings.imports import SourceBusy, check_config, resolve_url
from service.postings.models import ImportRun, ImportSource, Posting
from service.postings.records import RecordError, normalise_occupation
from service.postings.run_jobs import start_source_run, task_key
from service.postings.schemas import (
    ImportRunRead,
    ImportSourceCreate,
    ImportSourceRead,
    ImportSourceUpdate,
    SourceId,
)
from service.scheduler import parse_cron
from service.schemas import Page
from service.tasks import tasks_of
from service.timeutil import utcnow

ImportRunId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="Import run id.")]


def _validate(
    kind: str, url: str | None, board: str | None, schedule: str, occupation: str | None, config: dict
) -> tuple[str, str | None]:
    try:
        resolved = resolve_url(kind, url, board)
        parse_cron(schedule)
        check_config(kind, config)
        return resolved, normalise_occupation(occupation)
    except (ValueError, RecordError) as exc:
        raise ClientException(str(exc), status_code=400) from None


async def _last_runs(db_session: DbSession, source_ids: list[int]) -> dict[int, ImportRun]:
    if not source_ids:
        return {}
    latest = (
        select(ImportRun.source_id, func.max(ImportRun.id).label("run_id"))
        .where(ImportRun.source_id.in_(source_ids))
        .group_by(ImportRun.source_id)
        .subquery()
    )
    rows = await db_session.scalars(select(ImportRun).join(latest, ImportRun.id == latest.c.run_id))
    return {r.source_id: r for r in rows}


def _read(source: ImportSource, last: ImportRun | None) -> ImportSourceRead:
    data = ImportSourceRead.model_validate(source, from_attributes=True)
    data.last_run = ImportRunRead.model_validate(last) if last is not None else None
    return data


class ImportSourceController(Controller):
    path = "/api/v1/import-sources"
    tags = ["import sources"]

    async def _get(self, db_session: DbSession, org_id: int, source_id: int) -> ImportSource:
        source = await db_session.scalar(
            select(ImportSource).where(ImportSource.id == source_id, ImportSource.org_id == org_id)
        )
        if source is None:
            raise NotFoundException(f"import source {source_id} not found")
        return source

    async def _name_taken(
        self, db_session: DbSession, org_id: int, name: str, except_id: int | None = None
    ) -> None:
        query = select(ImportSource.id).where(ImportSource.org_id == org_id, ImportSource.name == name)
        if except_id is not None:
            query = query.where(ImportSource.id != except_id)
        if await db_session.scalar(query) is not None:
            raise ClientException(f"an import source named {name!r} already exists", status_code=409)

    @post("/", operation_id="createImportSource", raises=[ClientException])
    async def create(
        self, data: JSONBody[ImportSourceCreate], db_session: DbSession, principal: CurrentPrincipal
    ) -> ImportSourceRead:
        url, occupation = _validate(
            data.kind, data.url, data.board, data.schedule, data.occupation, data.config
        )
        await self._name_taken(db_session, principal.org_id, data.name)
        source = ImportSource(
            org_id=principal.org_id,
            kind=data.kind,
            name=data.name,
            url=url,
            board=data.board,
            schedule=data.schedule,
            enabled=data.enabled,
            config=data.config,
            region=data.region,
            occupation=occupation,
        )
        db_session.add(source)
        await db_session.flush()
        return _read(source, None)

    @get("/", operation_id="listImportSources")
    async def list_sources(
        self, db_session: DbSession, principal: CurrentPrincipal
    ) -> list[ImportSourceRead]:
        rows = list(
            await db_session.scalars(
                select(ImportSource).where(ImportSource.org_id == principal.org_id).order_by(ImportSource.id)
            )
        )
        last = await _last_runs(db_session, [r.id for r in rows])
        return [_read(r, last.get(r.id)) for r in rows]

    @get("/{source_id:int}", operation_id="getImportSource", raises=[NotFoundException])
    async def get_one(
        self, source_id: SourceId, db_session: DbSession, principal: CurrentPrincipal
    ) -> ImportSourceRead:
        source = await self._get(db_session, principal.org_id, source_id)
        last = await _last_runs(db_session, [source.id])
        return _read(source, last.get(source.id))

    @patch("/{source_id:int}", operation_id="updateImportSource", raises=[NotFoundException, ClientException])
    async def update(
        self,
        source_id: SourceId,
        data: JSONBody[ImportSourceUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> ImportSourceRead:
        source = await self._get(db_session, principal.org_id, source_id)
        changes = data.model_dump(exclude_unset=True)
        merged = {
            "url": changes.get("url", source.url if "board" not in changes else None),
            "board": changes.get("board", source.board),
            "schedule": changes.get("schedule") or source.schedule,
            "occupation": changes.get("occupation", source.occupation),
            "config": changes.get("config") if changes.get("config") is not None else source.config,
        }
        url, occupation = _validate(
            source.kind,
            merged["url"],
            merged["board"],
            merged["schedule"],
            merged["occupation"],
            merged["config"],
        )
        if changes.get("name") and changes["name"] != source.name:
            await self._name_taken(db_session, principal.org_id, changes["name"], source.id)
            await _rename_postings(db_session, principal.org_id, source.id, changes["name"])
            source.name = changes["name"]
        if "url" in changes or "board" in changes:
            source.etag = source.last_modified = None  # another feed: no conditional request against it
        source.url, source.board, source.schedule = url, merged["board"], merged["schedule"]
        source.occupation, source.config = occupation, merged["config"]
        if changes.get("enabled") is not None:
            source.enabled = changes["enabled"]
        if "region" in changes:
            source.region = changes["region"]
        source.updated_at = utcnow()
        last = await _last_runs(db_session, [source.id])
        return _read(source, last.get(source.id))

    @delete("/{source_id:int}", operation_id="deleteImportSource", raises=[NotFoundException])
    async def remove(self, source_id: SourceId, db_session: DbSession, principal: CurrentPrincipal) -> None:
        """Deletes the source and its runs; its postings stay (they are evidence already counted)."""
        source = await self._get(db_session, principal.org_id, source_id)
        await db_session.delete(source)

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
        try:
            run = await start_source_run(request.app, source_id, principal.org_id)
        except SourceBusy as exc:
            raise ClientException(f"{exc}; see its runs", status_code=409) from None
        except RuntimeError as exc:
            raise ClientException(str(exc), status_code=503) from None
        if run is None:
            raise NotFoundException(f"import source {source_id} not found")
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
        run = await db_session.scalar(
            select(ImportRun).where(
                ImportRun.id == import_run_id,
                ImportRun.source_id == source_id,
                ImportRun.org_id == principal.org_id,
            )
        )
        if run is None:
            raise NotFoundException(f"import run {import_run_id} of source {source_id} not found")
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
        await self._get(db_session, principal.org_id, source_id)
        conditions = (ImportRun.source_id == source_id, ImportRun.org_id == principal.org_id)
        total = await db_session.scalar(select(func.count()).select_from(ImportRun).where(*conditions))
        rows = await db_session.scalars(
            select(ImportRun)
            .where(*conditions)
            .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return Page(
            items=[ImportRunRead.model_validate(r) for r in rows],
            total=int(total or 0),
            limit=limit,
            offset=offset,
        )


async def _rename_postings(db_session: DbSession, org_id: int, source_id: int, name: str) -> None:
    """Postings imported by a source carry its name (their idempotency key is source + external id): they take
    the new name with it, so that the next run finds them instead of storing every posting again."""
    other = aliased(Posting)
    clash = await db_session.scalar(
        select(func.count())
        .select_from(Posting)
        .join(
            other,
            (other.org_id == Posting.org_id) & (other.external_id == Posting.external_id) & (other.source == name),
        )
        .where(Posting.org_id == org_id, Posting.import_source_id == source_id)
    )
    if clash:
        raise ClientException(
            f"{clash} postings stored under the source name {name!r} have the same external ids as postings of "
            "this import source; choose another name",
            status_code=409,
        )
    await db_session.execute(
        update(Posting)
        .where(Posting.org_id == org_id, Posting.import_source_id == source_id)
        .values(source=name)
    )
