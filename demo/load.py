"""`skillpulse serve --demo`: a ready-to-explore organisation on first start; later starts reuse it.

The first start tells the whole story in about a minute: the example credentials are imported (and linked to
skill concepts), a year of job postings is generated from our own templates with trends planted in them,
the postings are read for skills, welding employers answer a survey (a third of them ask for Python), and
monthly drift runs raise the alerts: an emerging skill, a fading competency and a survey gap. Every step goes
through the same functions the API, the CLI and the workers use, so the demo shows the real thing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from service.auth.models import Organisation, User
from service.auth.services import create_user, get_or_create_org, issue_token
from service.credentials.models import Credential
from service.db import create_engine, session_scope, sessionmaker
from service.nlp_runner import NlpRunner
from service.settings import Settings

DEMO_ORG = "Demo College"
DEMO_EMAIL = "demo@skillpulse.example"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - a published demo login, only for --demo
VIEWER_EMAIL = "viewer@skillpulse.example"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "credentials"
SURVEY_CREDENTIAL = "Welding Technology Certificate"
SURVEY_RESPONDENTS = 9
SURVEY_INVITED = 12
DRIFT_CHECKS = 4
DEMO_SEED = 5


@dataclass
class DemoResult:
    created: bool
    survey_link: str | None
    api_token: str | None
    seconds: float


class DemoUnavailable(RuntimeError):
    """The demo cannot load here (its example files are not installed)."""


def _examples() -> list[Path]:
    files = sorted(EXAMPLES.glob("*.jsonld"))
    if not files:
        raise DemoUnavailable(
            f"the demo needs the example credentials in {EXAMPLES}; run it from a skillpulse checkout "
            "(or copy examples/ next to service/)"
        )
    return files


async def _existing_org(engine: AsyncEngine) -> int | None:
    async with session_scope(engine) as session:
        user = (await session.execute(select(User).where(User.email == DEMO_EMAIL))).scalar_one_or_none()
        if user is None:
            return None
        has_data = await session.scalar(
            select(func.count()).select_from(Credential).where(Credential.org_id == user.org_id)
        )
        return user.org_id if has_data else None


async def _create_org(engine: AsyncEngine) -> tuple[int, str]:
    async with session_scope(engine) as session:
        org, _ = await get_or_create_org(session, DEMO_ORG)
        user = (await session.execute(select(User).where(User.email == DEMO_EMAIL))).scalar_one_or_none()
        if user is None:
            user = await create_user(session, org, DEMO_EMAIL, "admin", DEMO_PASSWORD, "Demo Designer")
        if (
            await session.execute(select(User).where(User.email == VIEWER_EMAIL))
        ).scalar_one_or_none() is None:
            await create_user(session, org, VIEWER_EMAIL, "viewer", DEMO_PASSWORD, "Demo Viewer")
        token = (await issue_token(session, user, "demo")).token
        return org.id, token


async def _import_credentials(
    engine: AsyncEngine, org_id: int, runner: NlpRunner, step: Callable[[int], None]
) -> None:
    from service.credentials.importing import import_credential_file

    for path in _examples():
        async with session_scope(engine) as session:
            await import_credential_file(session, org_id, path, None, runner)
        step(1)


async def _store_postings(engine: AsyncEngine, org_id: int, today: date, step: Callable[[int], None]) -> int:
    from demo.postings import demo_postings
    from service.postings.intake import store_postings
    from service.postings.records import normalise

    # Reproducible demo data. Sampling noise can push a steady skill's share far enough to raise an alert
    # of its own; this seed's draw raises only the planted ones (tests/integration/test_dashboard_demo.py
    # checks that).
    records = demo_postings(today, seed=DEMO_SEED)
    chunk = 500
    for start in range(0, len(records), chunk):
        part = [normalise(r) for r in records[start : start + chunk]]
        async with session_scope(engine) as session:
            await store_postings(session, org_id, part)
        step(len(part))
    return len(records)


async def _extract(engine: AsyncEngine, runner: NlpRunner, step: Callable[[int], None]) -> None:
    from service.postings.worker import ExtractionWorker

    worker = ExtractionWorker(engine, runner, batch_size=128)
    while (done := await worker.run_batch()) > 0:
        step(done)


def _answered_at(today: date, number: int) -> datetime:
    """When sample respondent `number` submitted: one a day over the days before the demo's `today`, so the
    drift run as of `today` reads every answer and the earlier monthly runs read none (as if the survey ran in
    the last month), whatever the wall clock says."""
    return datetime.combine(today - timedelta(days=1 + number), dtime(15, 0), UTC)


async def _survey(engine: AsyncEngine, base_url: str, org_id: int, runner: NlpRunner, today: date) -> str:
    """A survey of welding employers, opened, with sample responses dated from `today`; returns one unused
    personal link (live now: the links and the survey itself are for the visitor to try today)."""
    from demo.survey import answer_sample, sample_invitees
    from service.credentials.survey_source import CREDENTIALS_FOR_SURVEYS
    from service.crypto import keyring_of
    from surveys.extraction import extract_all_pending
    from surveys.invitations import create_invitations
    from surveys.respond_draft import save_answers
    from surveys.respond_link import open_link
    from surveys.respond_submit import submit
    from surveys.schemas import InvitationsCreate, SurveyCreate
    from surveys.store import create_survey, open_survey

    async with session_scope(engine) as session:
        credential_id = await session.scalar(
            select(Credential.id).where(Credential.org_id == org_id, Credential.name == SURVEY_CREDENTIAL)
        )
        if credential_id is None:
            credential_id = await session.scalar(
                select(Credential.id).where(Credential.org_id == org_id).limit(1)
            )
        survey, _ = await create_survey(
            session, org_id, SurveyCreate(credential_id=credential_id), CREDENTIALS_FOR_SURVEYS
        )
        await open_survey(session, survey)
        issued = await create_invitations(
            session,
            survey,
            InvitationsCreate(invitees=sample_invitees(SURVEY_INVITED), send_email=False),
            base_url,
            keyring_of(engine),
        )
    rng = random.Random(7)  # noqa: S311 - reproducible demo answers
    for number, invitation in enumerate(issued[:SURVEY_RESPONDENTS]):
        async with session_scope(engine) as session:
            link = await open_link(session, invitation.token, {})
            at = _answered_at(today, number)
            await save_answers(session, link, answer_sample(link.questions, number, rng), 1, "en", at=at)
            await submit(session, link, at=at)
    await extract_all_pending(sessionmaker(engine), runner)
    return issued[-1].url


async def _new_link(engine: AsyncEngine, base_url: str, org_id: int) -> str | None:
    """On a later start: a fresh personal link (the first ones were shown once and are stored hashed)."""
    from service.crypto import keyring_of
    from surveys.invitations import create_invitations
    from surveys.models import Survey
    from surveys.schemas import InvitationsCreate

    async with session_scope(engine) as session:
        survey = await session.scalar(
            select(Survey)
            .where(Survey.org_id == org_id, Survey.status == "open")
            .order_by(Survey.id)
            .limit(1)
        )
        if survey is None:
            return None
        invitee = {"employer": "Demo visitor", "name": "", "email": None}
        issued = await create_invitations(
            session,
            survey,
            InvitationsCreate(invitees=[invitee], send_email=False),
            base_url,
            keyring_of(engine),
        )
        return issued[0].url


async def build_demo(
    settings: Settings, console: Console, base_url: str | None = None, today: date | None = None
) -> DemoResult:
    """Load the demo organisation on an empty database, or reuse it; never loads twice."""
    from service.demand.runs import run_drift

    started = time.monotonic()
    base_url = base_url or settings.server.base_url
    engine = create_engine(settings)
    runner = NlpRunner(max(1, settings.server.nlp_processes))
    try:
        org_id = await _existing_org(engine)
        if org_id is not None:
            console.print("demo: reusing the demo data already in the database")
            return DemoResult(
                False, await _new_link(engine, base_url, org_id), None, time.monotonic() - started
            )
        _examples()  # before anything is written: no half-made demo organisation
        today = today or date.today()
        columns = (
            TextColumn("{task.description:<38}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            org_id, token = await _create_org(engine)
            files = _examples()
            task = progress.add_task("Importing and linking credentials", total=len(files))
            await _import_credentials(engine, org_id, runner, lambda n: progress.advance(task, n))
            from demo.postings import posting_count

            task = progress.add_task("Generating a year of job postings", total=posting_count())
            total = await _store_postings(engine, org_id, today, lambda n: progress.advance(task, n))
            task = progress.add_task("Reading postings for skills", total=total)
            await _extract(engine, runner, lambda n: progress.advance(task, n))
            task = progress.add_task("Surveying employers", total=1)
            link = await _survey(engine, base_url, org_id, runner, today)
            progress.advance(task)
            checks = [today - timedelta(days=30 * k) for k in range(DRIFT_CHECKS - 1, -1, -1)]
            task = progress.add_task("Checking credentials for drift, monthly", total=len(checks))
            for as_of in checks:  # a monthly history, so coverage has a trend to show
                await run_drift(engine, settings, org_id, as_of, trigger="demo")
                progress.advance(task)
        return DemoResult(True, link, token, time.monotonic() - started)
    finally:
        runner.shutdown()
        await engine.dispose()


async def load_demo(settings: Settings, base_url: str, console: Console) -> None:
    try:
        result = await build_demo(settings, console, base_url)
    except DemoUnavailable as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(2) from None
    token_line = f"  API token:  {result.api_token}  (shown once)\n" if result.api_token else ""
    survey_line = f"  Survey link (an employer's view): {result.survey_link}\n" if result.survey_link else ""
    console.print(
        f"\n[bold]skillpulse demo[/bold] ready in {result.seconds:.0f} s\n"
        f"  Dashboard:  {base_url}/app/\n"
        f"  Sign in:    {DEMO_EMAIL} / {DEMO_PASSWORD}   (read-only: {VIEWER_EMAIL} / {DEMO_PASSWORD})\n"
        f"{survey_line}{token_line}  API docs:   {base_url}/schema\n",
        soft_wrap=True,
    )


__all__ = ["DEMO_EMAIL", "DEMO_ORG", "DEMO_PASSWORD", "Organisation", "build_demo", "load_demo"]
