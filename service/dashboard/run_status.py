"""The status line of background runs (drift checks, source and credential imports), refreshed until they end.

Pages that start or show runs include `dashboard/_run_status.html` with `run_status` in their context; while a
run is queued or running the line asks htmx to fetch `/app/runs/status` every few seconds and swaps itself
for the answer, which stops polling once nothing is running (without JavaScript: a Refresh link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.di import DbSession
from service.credentials import services as credential_service
from service.credentials.import_jobs import task_key as import_task_key
from service.credentials.models import CredentialImport
from service.demand import run_services
from service.demand.models import DriftRun
from service.demand.run_jobs import task_key
from service.dependencies import CurrentPrincipal
from service.postings import sources
from service.postings.run_jobs import task_key as source_task_key
from service.tasks import TaskRunner, tasks_of

POLL_SECONDS = 2


@dataclass(slots=True)
class RunStatus:
    lines: list[str] = field(default_factory=list)
    poll_seconds: int = POLL_SECONDS

    @property
    def active(self) -> bool:
        return bool(self.lines)


def _drift_line(run: DriftRun, progress: dict | None) -> str:
    if run.status == "queued":
        return f"Drift check as of {run.as_of:%Y-%m-%d}: queued."
    if progress and progress.get("total"):
        return (
            f"Drift check as of {run.as_of:%Y-%m-%d}: running, credential {progress['done'] + 1} "
            f"of {progress['total']}."
        )
    return f"Drift check as of {run.as_of:%Y-%m-%d}: running."


async def run_status(session: AsyncSession, tasks: TaskRunner, org_id: int) -> RunStatus:
    """Lines for the organisation's drift runs and imports that are queued or running."""
    status = RunStatus()
    for run in await run_services.unfinished_runs(session, org_id, limit=5):
        status.lines.append(_drift_line(run, tasks.progress(task_key(run.id))))
    imports = await sources.running_imports(session, org_id)
    for source_id, name, started_at in imports:
        status.lines.append(_import_line(name, started_at, tasks.progress(source_task_key(source_id))))
    uploads = await credential_service.unfinished_imports(session, org_id)
    for upload in uploads:
        status.lines.append(_upload_line(upload, tasks.progress(import_task_key(upload.id))))
    return status


def _import_line(name: str, started_at: datetime, progress: dict | None) -> str:
    line = f"Import of {name}: running since {started_at:%H:%M:%S} UTC"
    if progress and progress.get("stage") == "storing":
        return f"{line}, storing {progress['total']:,} postings."
    if progress and progress.get("done"):
        return f"{line}, {progress['done']} page(s) fetched."
    return f"{line}."


def _upload_line(upload: CredentialImport, progress: dict | None) -> str:
    what = f"Credential import of {upload.competencies:,} competencies"
    if upload.status == "queued":
        return f"{what}: queued."
    if progress and progress.get("total"):
        return f"{what}: {progress['stage']}, {progress['done']:,} of {progress['total']:,}."
    return f"{what}: running."


@get("/app/runs/status", include_in_schema=False)
async def run_status_fragment(
    request: Request, db_session: DbSession, principal: CurrentPrincipal
) -> Template:
    """The status line alone (htmx swaps it in place)."""
    status = await run_status(db_session, tasks_of(request.app), principal.org_id)
    return Template(template_name="dashboard/_run_status.html", context={"run_status": status})


route_handlers = [run_status_fragment]
