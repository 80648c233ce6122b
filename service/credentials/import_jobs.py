"""Large credential imports in the background: the request parses and checks the document, records the import
as queued and answers 202; linking (the NLP pool) and saving go on in the app's task runner with their own
session. The import is one transaction as before: a failure stores nothing of the document and is recorded on
the import row with its reason; an import the server stops is recorded as failed ("interrupted").
"""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar
from sqlalchemy import update

from kernel.clock import utcnow
from service.credentials.formats import CredentialFormatError, ParsedCredential
from service.credentials.importing import CredentialConflict, import_parsed
from service.credentials.linkstore import LinkingUnavailable
from service.credentials.models import CredentialImport
from service.credentials.schemas import CredentialImportRead, ImportReport
from service.db import session_scope
from service.tasks import INTERRUPTED, tasks_of

log = logging.getLogger("skillpulse.credentials")

UNFINISHED = ("queued", "running")
CALLER_ERRORS = (CredentialFormatError, CredentialConflict, LinkingUnavailable)


def task_key(import_id: int) -> tuple[str, int]:
    return ("credential-import", import_id)


def to_read(row: CredentialImport, progress: dict | None = None) -> CredentialImportRead:
    read = CredentialImportRead.model_validate(row)
    read.report = ImportReport.model_validate(row.result) if row.result else None
    read.progress = progress
    return read


async def _finish(app: Litestar, import_id: int, **values: object) -> None:
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(CredentialImport)
            .where(CredentialImport.id == import_id, CredentialImport.status.in_(UNFINISHED))
            .values(finished_at=utcnow(), **values)
        )


async def queue_import(app: Litestar, org_id: int, parsed: list[ParsedCredential]) -> CredentialImport:
    """Record the parsed document's import as queued and run it in the background."""
    engine = app.state.engine
    runner = tasks_of(app)
    async with session_scope(engine) as session:
        row = CredentialImport(
            org_id=org_id,
            format=parsed[0].source_format if parsed else "",
            credentials=len(parsed),
            competencies=sum(len(p.competencies) for p in parsed),
        )
        session.add(row)
    key = task_key(row.id)

    async def work() -> None:
        async with session_scope(engine) as session:
            await session.execute(
                update(CredentialImport)
                .where(CredentialImport.id == row.id)
                .values(status="running", started_at=utcnow())
            )
        try:
            async with session_scope(engine) as session:
                results = await import_parsed(
                    session, org_id, parsed, app.state.nlp, progress=runner.reporter(key)
                )
                report = ImportReport(format=row.format, credentials=results)
        except asyncio.CancelledError:
            raise
        except CALLER_ERRORS as exc:
            await _finish(app, row.id, status="failed", error=str(exc)[:2000])
            return
        except Exception as exc:  # noqa: BLE001 - the import row says why; nothing of the document was stored
            log.exception("credential import %s failed", row.id)
            await _finish(app, row.id, status="failed", error=f"internal error: {type(exc).__name__}")
            return
        await _finish(app, row.id, status="succeeded", result=report.model_dump(mode="json"))

    async def interrupted() -> None:
        await _finish(app, row.id, status="failed", error=INTERRUPTED)

    try:
        runner.spawn(key, work(), on_cancel=interrupted)
    except RuntimeError:
        await _finish(app, row.id, status="failed", error=INTERRUPTED)
        raise
    return row
