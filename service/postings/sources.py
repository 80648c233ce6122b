"""Import sources, the work behind the API and the dashboard: reading, creating, changing and running them.

No HTTP types here: a caller's mistake is one of the errors below, and each caller says it in its own terms
(the API as 400/404/409/503, the dashboard as a notice on its page). Both call these functions, so they
cannot disagree about what a source, a run or "already running" is.
"""

from __future__ import annotations

from datetime import datetime

from litestar import Litestar
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kernel.clock import utcnow
from service.postings.imports import SourceBusy, check_config, resolve_url
from service.postings.models import ImportRun, ImportSource, Posting
from service.postings.records import RecordError, normalise_occupation
from service.postings.run_jobs import start_source_run
from service.postings.schemas import ImportSourceCreate, ImportSourceUpdate
from service.scheduler import parse_cron

__all__ = [
    "ServerStopping",
    "SourceBusy",
    "SourceConflict",
    "SourceInvalid",
    "SourceNotFound",
]


class SourceNotFound(LookupError):
    """No such source (or run) in the organisation."""


class SourceInvalid(ValueError):
    """The source's settings are not valid (a URL, a schedule, a config, an occupation code)."""


class SourceConflict(Exception):
    """The change clashes with another source or with stored postings (a name taken)."""


class ServerStopping(RuntimeError):
    """The server is shutting down and starts no new run."""


def validate(
    kind: str, url: str | None, board: str | None, schedule: str, occupation: str | None, config: dict
) -> tuple[str, str | None]:
    """The feed URL and the normalised occupation code, or SourceInvalid."""
    try:
        resolved = resolve_url(kind, url, board)
        parse_cron(schedule)
        check_config(kind, config)
        return resolved, normalise_occupation(occupation)
    except (ValueError, RecordError) as exc:
        raise SourceInvalid(str(exc)) from None


async def get_source(session: AsyncSession, org_id: int, source_id: int) -> ImportSource:
    source = await session.scalar(
        select(ImportSource).where(ImportSource.id == source_id, ImportSource.org_id == org_id)
    )
    if source is None:
        raise SourceNotFound(f"import source {source_id} not found")
    return source


async def list_sources(session: AsyncSession, org_id: int, *, by_name: bool = False) -> list[ImportSource]:
    order = ImportSource.name if by_name else ImportSource.id
    return list(
        await session.scalars(select(ImportSource).where(ImportSource.org_id == org_id).order_by(order))
    )


async def last_runs(session: AsyncSession, source_ids: list[int]) -> dict[int, ImportRun]:
    """Each source's newest run."""
    if not source_ids:
        return {}
    latest = (
        select(ImportRun.source_id, func.max(ImportRun.id).label("run_id"))
        .where(ImportRun.source_id.in_(source_ids))
        .group_by(ImportRun.source_id)
        .subquery()
    )
    rows = await session.scalars(select(ImportRun).join(latest, ImportRun.id == latest.c.run_id))
    return {r.source_id: r for r in rows}


async def recent_runs(
    session: AsyncSession, org_id: int, source_ids: list[int], per_source: int
) -> dict[int, list[ImportRun]]:
    """Up to `per_source` newest runs of each source (every source has a list, maybe empty)."""
    runs: dict[int, list[ImportRun]] = {source_id: [] for source_id in source_ids}
    if not source_ids:
        return runs
    rows = await session.scalars(
        select(ImportRun)
        .where(ImportRun.org_id == org_id, ImportRun.source_id.in_(source_ids))
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
        .limit(per_source * len(source_ids) * 4)
    )
    for run in rows:
        if len(runs[run.source_id]) < per_source:
            runs[run.source_id].append(run)
    return runs


async def _name_taken(session: AsyncSession, org_id: int, name: str, except_id: int | None = None) -> None:
    query = select(ImportSource.id).where(ImportSource.org_id == org_id, ImportSource.name == name)
    if except_id is not None:
        query = query.where(ImportSource.id != except_id)
    if await session.scalar(query) is not None:
        raise SourceConflict(f"an import source named {name!r} already exists")


async def create_source(session: AsyncSession, org_id: int, data: ImportSourceCreate) -> ImportSource:
    url, occupation = validate(data.kind, data.url, data.board, data.schedule, data.occupation, data.config)
    await _name_taken(session, org_id, data.name)
    source = ImportSource(
        org_id=org_id,
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
    session.add(source)
    await session.flush()
    return source


async def update_source(
    session: AsyncSession, source: ImportSource, data: ImportSourceUpdate
) -> ImportSource:
    """Apply the fields the update sets (a field left out keeps its value)."""
    changes = data.model_dump(exclude_unset=True)
    merged = {
        "url": changes.get("url", source.url if "board" not in changes else None),
        "board": changes.get("board", source.board),
        "schedule": changes.get("schedule") or source.schedule,
        "occupation": changes.get("occupation", source.occupation),
        "config": changes.get("config") if changes.get("config") is not None else source.config,
    }
    url, occupation = validate(
        source.kind,
        merged["url"],
        merged["board"],
        merged["schedule"],
        merged["occupation"],
        merged["config"],
    )
    if changes.get("name") and changes["name"] != source.name:
        await _name_taken(session, source.org_id, changes["name"], source.id)
        await _rename_postings(session, source.org_id, source.id, changes["name"])
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
    return source


async def delete_source(session: AsyncSession, source: ImportSource) -> None:
    """The source and its runs; its postings stay (they are evidence already counted)."""
    await session.delete(source)


async def run_now(app: Litestar, org_id: int, source_id: int) -> ImportRun:
    """Start the source's import in the background; returns its run, recorded as running.

    Raises SourceNotFound, SourceBusy (it is being imported already, by this or another process) or
    ServerStopping. A failed fetch is not an error here: it is a failed run.
    """
    try:
        run = await start_source_run(app, source_id, org_id)
    except SourceBusy:
        raise
    except RuntimeError as exc:  # the task runner is closed: the server is stopping
        raise ServerStopping(str(exc)) from None
    if run is None:
        raise SourceNotFound(f"import source {source_id} not found")
    return run


async def running_imports(
    session: AsyncSession, org_id: int, limit: int = 10
) -> list[tuple[int, str, datetime]]:
    """(source id, source name, started at) of the organisation's runs in progress, oldest first."""
    rows = await session.execute(
        select(ImportSource.id, ImportSource.name, ImportRun.started_at)
        .join(ImportSource, ImportSource.id == ImportRun.source_id)
        .where(ImportRun.org_id == org_id, ImportRun.status == "running")
        .order_by(ImportRun.id)
        .limit(limit)
    )
    return [(source_id, name, started_at) for source_id, name, started_at in rows.all()]


async def get_run(session: AsyncSession, org_id: int, source_id: int, run_id: int) -> ImportRun:
    run = await session.scalar(
        select(ImportRun).where(
            ImportRun.id == run_id, ImportRun.source_id == source_id, ImportRun.org_id == org_id
        )
    )
    if run is None:
        raise SourceNotFound(f"import run {run_id} of source {source_id} not found")
    return run


async def list_runs(
    session: AsyncSession, org_id: int, source_id: int, *, limit: int, offset: int
) -> tuple[list[ImportRun], int]:
    """The source's runs, newest first, and how many there are."""
    await get_source(session, org_id, source_id)
    conditions = (ImportRun.source_id == source_id, ImportRun.org_id == org_id)
    total = await session.scalar(select(func.count()).select_from(ImportRun).where(*conditions))
    rows = await session.scalars(
        select(ImportRun)
        .where(*conditions)
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def _rename_postings(session: AsyncSession, org_id: int, source_id: int, name: str) -> None:
    """Postings imported by a source carry its name (their idempotency key is source + external id): they take
    the new name with it, so that the next run finds them instead of storing every posting again."""
    other = aliased(Posting)
    clash = await session.scalar(
        select(func.count())
        .select_from(Posting)
        .join(
            other,
            (other.org_id == Posting.org_id)
            & (other.external_id == Posting.external_id)
            & (other.source == name),
        )
        .where(Posting.org_id == org_id, Posting.import_source_id == source_id)
    )
    if clash:
        raise SourceConflict(
            f"{clash} postings stored under the source name {name!r} have the same external ids as postings "
            "of this import source; choose another name"
        )
    await session.execute(
        update(Posting)
        .where(Posting.org_id == org_id, Posting.import_source_id == source_id)
        .values(source=name)
    )
