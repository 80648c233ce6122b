"""Running an import source: fetch its pages, parse them, store the postings, record the run.

The run row is written first (so a run in progress is visible), the postings and the run's counts are stored
in one transaction at the end (so a run killed midway leaves no half import), and a failure of any kind ends
as a failed run with its reason in words. A run left `running` by a killed process is closed as interrupted
when the source runs next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from types import ModuleType

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.clock import utcnow
from service.db import session_scope
from service.postings.fetch import Fetcher, FetchError, private_addresses_allowed
from service.postings.intake import store_postings
from service.postings.models import ImportRun, ImportSource
from service.postings.parsers import FeedError, ashby, csvfeed, greenhouse, jsonld, lever, rss, usajobs
from service.postings.records import RecordError, normalise, with_defaults
from service.settings import Settings

log = logging.getLogger("skillpulse.postings.imports")

KINDS: dict[str, ModuleType] = {
    "greenhouse": greenhouse,
    "lever": lever,
    "ashby": ashby,
    "rss": rss,
    "jsonld": jsonld,
    "csv": csvfeed,
    "usajobs": usajobs,
}
BOARD_KINDS = frozenset({"greenhouse", "lever", "ashby"})
STALE_RUN = timedelta(hours=1)
MAX_ERRORS_KEPT = 5


def resolve_url(kind: str, url: str | None, board: str | None) -> str:
    """The feed's endpoint: the given URL, else the job board's API URL built from its board token."""
    if url:
        if not url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return url
    if kind in BOARD_KINDS and board:
        return KINDS[kind].endpoint(board)
    if kind == "usajobs":
        return usajobs.endpoint()
    if kind in BOARD_KINDS:
        raise ValueError(f"a {kind} source needs a url or a board token")
    raise ValueError(f"a {kind} source needs a url")


def check_config(kind: str, config: dict) -> None:
    if kind == "usajobs" and not (config.get("api_key") and config.get("email")):
        raise ValueError("a usajobs source needs config.api_key and config.email (USAJOBS asks for both)")
    if "headers" in config and not isinstance(config["headers"], dict):
        raise ValueError("config.headers must be an object")


def _options(source: ImportSource) -> dict:
    return dict(source.config or {}) | {"source": source.name}


class SourceBusy(RuntimeError):
    """The source is being imported right now (by this or another process)."""


_LOCAL_LOCKS: dict[int, asyncio.Lock] = {}
_LOCK_NAMESPACE = 0x5EED05  # first key of the two-key advisory lock; the second is the source id


@contextlib.asynccontextmanager
async def source_lock(engine: AsyncEngine, source_id: int) -> AsyncIterator[bool]:
    """Hold the source for one run; yields True when a `running` run left behind is certainly dead.

    PostgreSQL: a session-level advisory lock, released by the server when the holder dies (kill -9), so a
    run found `running` while we hold the lock was interrupted. SQLite (one process): an in-process lock; a
    `running` run counts as dead only once it is older than STALE_RUN.
    """
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            keys = {"ns": _LOCK_NAMESPACE, "id": source_id}
            if not await conn.scalar(text("SELECT pg_try_advisory_lock(:ns, :id)"), keys):
                raise SourceBusy(f"import source {source_id} is already running")
            await conn.commit()
            try:
                yield True
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:ns, :id)"), keys)
                await conn.commit()
        return
    lock = _LOCAL_LOCKS.setdefault(source_id, asyncio.Lock())
    if lock.locked():
        raise SourceBusy(f"import source {source_id} is already running")
    async with lock:
        yield False


async def _close_dead_runs(engine: AsyncEngine, source_id: int, certainly_dead: bool) -> None:
    conditions = [ImportRun.source_id == source_id, ImportRun.status == "running"]
    if not certainly_dead:
        conditions.append(ImportRun.started_at < utcnow() - STALE_RUN)
    async with session_scope(engine) as session:
        await session.execute(
            update(ImportRun)
            .where(*conditions)
            .values(
                status="failed", finished_at=utcnow(), error="interrupted: the process stopped during the run"
            )
        )


async def fetch_all(
    source: ImportSource,
    settings: Settings,
    fetcher: Fetcher,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list, int, list[str], object]:
    """Every page of the source → (records, failed count, errors, first response) ; None response on 304.
    `progress` hears ("fetching", pages so far, 0) before each page is requested."""
    report = progress or (lambda _stage, _done, _total: None)
    module = KINDS[source.kind]
    options = _options(source)
    request = module.first_request(source.url, options)
    request.headers.update({str(k): str(v) for k, v in (options.get("headers") or {}).items()})
    report("fetching", 0, 0)
    first = await fetcher.get(request, etag=source.etag, last_modified=source.last_modified)
    if first.not_modified:
        return [], 0, [], None
    records, failed, errors = [], 0, []
    fetched, pages, seen = first, 0, set()
    max_pages = int(options.get("max_pages") or settings.postings.max_pages)
    while True:
        pages += 1
        page = module.parse(fetched.body, request, options)
        records.extend(page.records)
        failed += page.failed
        errors.extend(page.errors)
        next_request = page.next
        if next_request is None or pages >= max_pages:
            break
        key = (next_request.url, tuple(sorted(next_request.params.items())))
        if key in seen:
            break  # a feed that points back at a page it already gave
        seen.add(key)
        request = next_request
        report("fetching", pages, 0)
        fetched = await fetcher.get(request)
    return records, failed, errors, first


async def run_source(
    engine: AsyncEngine,
    settings: Settings,
    source_id: int,
    *,
    trigger: str = "manual",
    org_id: int | None = None,
    on_stored: Callable[[], None] | None = None,
    on_started: Callable[[ImportRun], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportRun | None:
    """Run one source now; returns its run (None when the source does not exist in the organisation).
    Raises SourceBusy when the source is being imported already. `on_started` hears the run as soon as it is
    recorded as running (POST /import-sources/{id}/run answers 202 with it); `progress` hears (stage, done,
    total) as pages are fetched and postings stored."""
    async with session_scope(engine) as session:
        query = select(ImportSource).where(ImportSource.id == source_id)
        if org_id is not None:
            query = query.where(ImportSource.org_id == org_id)
        source = await session.scalar(query)
    if source is None:
        return None
    async with source_lock(engine, source.id) as dead_for_sure:
        await _close_dead_runs(engine, source.id, dead_for_sure)
        return await _run_locked(engine, settings, source, trigger, on_stored, on_started, progress)


async def _run_locked(
    engine: AsyncEngine,
    settings: Settings,
    source: ImportSource,
    trigger: str,
    on_stored: Callable[[], None] | None,
    on_started: Callable[[ImportRun], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportRun:
    async with session_scope(engine) as session:
        run = ImportRun(org_id=source.org_id, source_id=source.id, trigger=trigger, status="running")
        session.add(run)
    if on_started is not None:
        on_started(run)
    try:
        user_agent = None
        if source.kind == "usajobs" and (source.config or {}).get("email"):
            user_agent = str(source.config["email"])
        allow_private = private_addresses_allowed(settings.postings, settings.server.env)
        async with Fetcher(settings.postings, user_agent=user_agent, allow_private=allow_private) as fetcher:
            records, failed, errors, first = await fetch_all(source, settings, fetcher, progress)
        fetched = len(records) + failed
        normal = []
        for record in records:
            try:
                normal.append(
                    normalise(with_defaults(record, region=source.region, occupation=source.occupation))
                )
            except RecordError as exc:
                failed += 1
                errors.append(str(exc))
        if progress is not None:
            progress("storing", 0, len(normal))
        async with session_scope(engine) as session:
            stored = await session.get(ImportRun, run.id)
            fresh = await session.get(ImportSource, source.id)
            summary = await store_postings(session, source.org_id, normal, import_source_id=source.id)
            stored.status = "succeeded"
            stored.finished_at = utcnow()
            stored.fetched = fetched
            stored.new, stored.updated, stored.unchanged = summary.created, summary.updated, summary.unchanged
            stored.failed = failed
            stored.error = _error_words(failed, errors) if failed else None
            if first is not None:
                fresh.etag, fresh.last_modified = first.etag, first.last_modified
            fresh.consecutive_failures = 0
            fresh.updated_at = utcnow()
            result = stored
        if summary.changed_any and on_stored is not None:
            on_stored()
        return result
    except (FetchError, FeedError) as exc:
        return await _record_failure(engine, run.id, source.id, str(exc))
    except Exception as exc:  # noqa: BLE001 - one failing source never stops another; the run says why
        log.exception("import source %s failed", source.id)
        return await _record_failure(
            engine, run.id, source.id, f"internal error: {type(exc).__name__}: {exc}"
        )


def _error_words(failed: int, errors: list[str]) -> str:
    shown = "; ".join(errors[:MAX_ERRORS_KEPT])
    more = f" (and {len(errors) - MAX_ERRORS_KEPT} more)" if len(errors) > MAX_ERRORS_KEPT else ""
    return f"{failed} posting(s) skipped: {shown}{more}"


async def _record_failure(engine: AsyncEngine, run_id: int, source_id: int, reason: str) -> ImportRun:
    async with session_scope(engine) as session:
        run = await session.get(ImportRun, run_id)
        run.status = "failed"
        run.finished_at = utcnow()
        run.error = reason[:2000]
        source = await session.get(ImportSource, source_id)
        source.consecutive_failures = (source.consecutive_failures or 0) + 1
        source.updated_at = utcnow()
    return run
