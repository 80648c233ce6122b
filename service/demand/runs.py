"""A drift run for one organisation: counts from the demand rollups (service/demand/rollup_reads.py),
detection in Python, alerts in one transaction.

The run row is committed first (status running) so an operator can see a run in progress; everything the run
decides (alerts, events, webhook deliveries, the run's summary) then commits together or not at all. On
PostgreSQL a transaction-level advisory lock per organisation makes concurrent runs (the nightly job on one
replica, a designer's button on another) wait for each other instead of racing on the same alerts.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kernel.clock import utcnow
from service.auth.models import Organisation
from service.credentials.models import Credential
from service.db import session_scope
from service.demand.aggregation import OccupationCodeError, normalise_occupations
from service.demand.alert_resolution import RunContext, open_alerts_by_credential, resolve_gone
from service.demand.alerts import KnownAlerts, fingerprint, known_alerts, record_candidate, wake_snoozed
from service.demand.curricula import Curriculum, covering_links, curricula
from service.demand.detection import Candidate, Thresholds, Windows, detect, windows_for
from service.demand.models import DriftRun
from service.demand.region_filter import credential_region
from service.demand.rollup_reads import count_credentials_from_rollups
from service.demand.rollup_rebuild import ensure_rollups
from service.demand.run_evidence import SnippetBatch
from service.demand.run_regions import CredentialCounts
from service.demand.statistics import Gate
from service.demand.survey_signals import SurveyEvidence, quotes_for, survey_candidates, survey_evidence
from service.settings import DriftSettings, Settings

log = logging.getLogger("skillpulse.drift")

ProgressFn = Callable[[str, int, int], None]

ADVISORY_LOCK_BASE = 0x5D1F70000000  # + org id: "drift run for this organisation"
INTERRUPTED_JOB = "demand.close-interrupted-runs"
INTERRUPTED_CHECK_SECONDS = 300
# On PostgreSQL: a run's row is committed a moment before it takes its organisation's lock.
UNLOCKED_GRACE = timedelta(minutes=2)
DRIFT_WORK_MEM = "64MB"  # PostgreSQL, for the run's transaction only


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one run's detection: the run's rows, links and arrays
    (some 190,000 objects at 1M rows) otherwise set off a full collection on every run, 0.1-0.17 CPU-s of a
    one-second run, and nothing it makes is a cycle to collect early. Reference counting frees as usual; the
    collector resumes (and runs as due) when the run ends, however it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def thresholds(drift: DriftSettings) -> Thresholds:
    return Thresholds(
        gate=Gate(
            q_level=drift.q_level, min_abs_change=drift.min_abs_change, min_postings=drift.min_postings
        ),
        demand_floor=drift.demand_floor,
        coverage_drop_points=drift.coverage_drop_points,
        severity_medium=drift.severity_medium,
        severity_high=drift.severity_high,
        exact_test_below=drift.exact_test_below,
    )


def usable_occupations(codes: Sequence[str]) -> tuple[str, ...]:
    """A credential's valid codes; a malformed one is skipped rather than failing the whole run."""
    good: list[str] = []
    for code in codes if isinstance(codes, list | tuple) else []:
        if not isinstance(code, str):
            log.info("skipping occupation code %r: not a string", code)
            continue
        try:
            good.extend(c for c in normalise_occupations([code]) if c not in good)
        except OccupationCodeError:
            log.info("skipping malformed occupation code %r", code)
    return tuple(good)


async def run_drift(
    engine: AsyncEngine,
    settings: Settings,
    org_id: int,
    as_of: date | None = None,
    trigger: str = "manual",
    *,
    run_id: int | None = None,
    progress: ProgressFn | None = None,
) -> DriftRun:
    """Run drift detection for every live credential of the organisation as of a date (default today, UTC).

    `run_id` names a run already recorded as queued (POST /drift/run answers 202 with it); `progress` hears
    (stage, done, total) as credentials are examined.
    """
    drift = settings.drift
    as_of = as_of or utcnow().date()
    windows = windows_for(as_of, drift.current_days, drift.baseline_days)
    async with session_scope(engine) as session:
        if run_id is None:
            run = DriftRun(org_id=org_id, as_of=as_of, trigger=trigger, status="running")
            session.add(run)
        else:
            run = await session.get(DriftRun, run_id)
            run.status, run.started_at = "running", utcnow()
    try:
        async with session_scope(engine) as session:  # the first run after the upgrade that added them
            await ensure_rollups(session, org_id)
        async with session_scope(engine) as session:
            if engine.dialect.name == "postgresql":
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_BASE + org_id}
                )
                # The rollup sums group hundreds of thousands of rows: in memory, not in sort files on disk.
                await session.execute(text(f"SET LOCAL work_mem = '{DRIFT_WORK_MEM}'"))
            with collection_paused():
                summary = await _detect_and_record(session, drift, org_id, run.id, windows, progress)
            stored = await session.get(DriftRun, run.id)
            stored.status = "succeeded"
            stored.summary = summary
            stored.finished_at = utcnow()
            run = stored
    except Exception as exc:
        log.exception("drift run %s for organisation %s failed", run.id, org_id)
        async with session_scope(engine) as session:
            failed = await session.get(DriftRun, run.id)
            failed.status = "failed"
            failed.error = f"{type(exc).__name__}: {exc}"[:2000]
            failed.finished_at = utcnow()
        raise
    return run


@dataclass(slots=True)
class _Recorder:
    """One run's session, settings and tally; records each candidate as an alert (opened, updated, ...)."""

    session: AsyncSession
    drift: DriftSettings
    org_id: int
    run_id: int
    windows: Windows
    now: datetime
    limits: Thresholds
    tally: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("opened", "updated", "refreshed", "unchanged", "reopened", "kept_closed", "resolved"), 0
        )
    )
    seen: set[str] = field(default_factory=set)  # fingerprints this run raised again
    known: KnownAlerts | None = None  # the alerts of the fingerprints raised, read ahead

    async def record(self, credential_id: int, candidate: Candidate, entry: dict) -> None:
        result = await record_candidate(
            self.session,
            self.org_id,
            credential_id,
            self.run_id,
            candidate,
            self.drift.reopen_margin,
            self.now,
            self.known,
        )
        self.tally[result] += 1
        self.seen.add(fingerprint(credential_id, candidate.kind, candidate.subject))
        entry["alerts"][candidate.kind] = entry["alerts"].get(candidate.kind, 0) + 1


async def _detect_and_record(
    session: AsyncSession,
    drift: DriftSettings,
    org_id: int,
    run_id: int,
    windows: Windows,
    progress: ProgressFn | None = None,
) -> dict:
    now = utcnow()
    woken = await wake_snoozed(session, org_id, now)
    rec = _Recorder(session, drift, org_id, run_id, windows, now, thresholds(drift))
    credentials = (
        await session.scalars(
            select(Credential)
            .where(Credential.org_id == org_id, Credential.deleted_at.is_(None))
            .order_by(Credential.id)
        )
    ).all()
    wanted = {credential.id: usable_occupations(credential.occupations) for credential in credentials}
    dates = (windows.baseline_start, windows.as_of, windows.current_start)
    teaching = await curricula(session, org_id, drift.fuzzy_threshold)
    links = covering_links(teaching)
    counts_all = await count_credentials_from_rollups(
        session, org_id, dates, credentials, wanted, drift, links
    )
    voices = await survey_evidence(session, org_id, windows)
    standing = await open_alerts_by_credential(session, org_id)
    per_credential: dict[str, dict] = {}
    raised: dict[int, list[Candidate]] = {}
    batch = SnippetBatch(org_id, windows, drift.max_snippets)
    for number, credential in enumerate(credentials):
        if progress is not None:
            progress("credentials", number, len(credentials))
        curriculum = teaching.get(credential.id) or Curriculum(fuzzy_threshold=drift.fuzzy_threshold)
        per_credential[str(credential.id)], raised[credential.id] = _examine(
            rec, credential, wanted[credential.id], curriculum, voices.get(credential.id), counts_all, batch
        )
    await batch.fill(session)  # the snippets of the alerts raised, grouped
    raised_fps = (fingerprint(cid, c.kind, c.subject) for cid, found in raised.items() for c in found)
    rec.known = await known_alerts(session, org_id, (a for ss in standing.values() for a in ss), raised_fps)
    for credential in credentials:
        curriculum = teaching.get(credential.id) or Curriculum(fuzzy_threshold=drift.fuzzy_threshold)
        await _record(rec, credential, curriculum, raised[credential.id], standing, per_credential)
    return {
        "windows": windows.to_dict(),
        "credentials": per_credential,
        "alerts": rec.tally,
        "snoozes_ended": woken,
    }


async def _record(
    rec: _Recorder,
    credential: Credential,
    curriculum: Curriculum,
    raised: list[Candidate],
    standing: dict[int, list],
    per_credential: dict[str, dict],
) -> None:
    """One credential's candidates recorded as alerts, then its open alerts no longer raised resolved."""
    entry = per_credential[str(credential.id)]
    for candidate in raised:
        await rec.record(credential.id, candidate, entry)
    rec.tally["resolved"] += await resolve_gone(
        rec.session,
        standing.get(credential.id, []),
        rec.seen,
        entry,
        RunContext(rec.run_id, rec.windows.as_of, credential.name),
        curriculum.is_covered,
        {c.id for c in curriculum.competencies},
        rec.drift.survey_min_respondents,
        rec.now,
    )


def _examine(
    rec: _Recorder,
    credential: Credential,
    codes: tuple[str, ...],
    curriculum: Curriculum,
    heard: SurveyEvidence | None,
    counts_all: CredentialCounts,
    batch: SnippetBatch,
) -> tuple[dict, list[Candidate]]:
    """One credential: its survey signals, then (with occupations and enough postings) its drift; the entry
    of the run's summary that says what came of it, and the candidates to record (their snippets asked of
    `batch`)."""
    drift = rec.drift
    entry: dict = {"name": credential.name, "occupations": list(codes), "alerts": {}}
    names = {c.id: (c.label or c.text) for c in curriculum.competencies}
    raised: list[Candidate] = []
    if heard is not None:
        entry["respondents"] = heard.respondents
        raised += survey_candidates(credential.name, heard, names, curriculum.is_covered, rec.windows, drift)
    if not codes:
        entry["status"] = "no_occupations"
        return entry, raised
    counts = counts_all.for_credential(credential.id)
    entry["postings"] = {"baseline": counts.total("baseline"), "current": counts.total("current")}
    if counts.total("baseline") < drift.min_postings or counts.total("current") < drift.min_postings:
        entry["status"] = "insufficient_data"
        return entry, raised
    comp_counts = counts_all.competencies(credential.id)
    outcome = detect(
        credential.name, counts, comp_counts, names, curriculum.is_covered, rec.windows, rec.limits
    )
    entry.update(status=outcome.status, tests=outcome.tests, coverage=outcome.coverage)
    for candidate in outcome.candidates:
        concept_ids = candidate.snippet_concepts or [
            link.concept_id
            for link in curriculum.links
            if link.status != "rejected" and link.competency_id == (candidate.competency_id or -1)
        ]
        batch.want(candidate, codes, concept_ids, credential_region(credential, drift))
        candidate.evidence["survey_quotes"] = (
            quotes_for(heard, candidate.concept_id, drift.max_snippets) if candidate.concept_id else []
        )
        raised.append(candidate)
    return entry, raised


async def run_all_organisations(
    engine: AsyncEngine, settings: Settings, as_of: date | None = None, trigger: str = "schedule"
) -> list[DriftRun]:
    """One run per organisation (the nightly job and `skillpulse drift run`); one failing org does not
    stop others.
    """
    async with session_scope(engine) as session:
        org_ids = list(await session.scalars(select(Organisation.id).order_by(Organisation.id)))
    runs: list[DriftRun] = []
    for org_id in org_ids:
        try:
            runs.append(await run_drift(engine, settings, org_id, as_of, trigger))
        except Exception:  # noqa: BLE001 - run_drift logged it and recorded it on the run row
            log.warning("drift run for organisation %s failed; continuing with the others", org_id)
            async with session_scope(engine) as session:
                failed = await session.scalar(
                    select(DriftRun).where(DriftRun.org_id == org_id).order_by(DriftRun.id.desc()).limit(1)
                )
            if failed is not None:
                runs.append(failed)
    return runs


async def close_interrupted_runs(
    engine: AsyncEngine, stale_after: timedelta, now: datetime | None = None
) -> int:
    """Close as 'interrupted' the runs left 'running' by a process that died (killed, crashed, restarted).

    A run in progress on PostgreSQL holds its organisation's advisory lock (or waits behind the run that holds
    it), so a 'running' run older than a short grace whose lock is free is dead whatever its age; a run still
    'running' after `stale_after` is closed on either database.
    """
    now = now or utcnow()
    postgres = engine.dialect.name == "postgresql"
    closed: list[int] = []
    cutoff = now - (UNLOCKED_GRACE if postgres else stale_after)
    async with session_scope(engine) as session:
        candidates = (
            await session.scalars(
                select(DriftRun)
                .where(DriftRun.status == "running", DriftRun.started_at < cutoff)
                .order_by(DriftRun.id)
            )
        ).all()
        for run in candidates:
            if postgres and run.started_at >= now - stale_after:
                free = await session.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_BASE + run.org_id}
                )
                if not free:
                    continue  # a live run of this organisation holds the lock
            run.status = "interrupted"
            run.finished_at = now
            run.error = "interrupted: the process running it stopped before it finished"
            closed.append(run.id)
    if closed:
        log.warning("closed %d interrupted drift runs: %s", len(closed), closed)
    return len(closed)


def register_interrupted_runs(scheduler, app) -> None:  # noqa: ANN001 - Scheduler, Litestar
    """A scheduled check (every few minutes, once across replicas) that closes interrupted runs."""
    settings: Settings = app.state.settings
    stale_after = timedelta(minutes=settings.drift.interrupted_run_minutes)

    async def close() -> dict[str, int]:
        return {"interrupted runs closed": await close_interrupted_runs(app.state.engine, stale_after)}

    scheduler.add_interval(INTERRUPTED_JOB, INTERRUPTED_CHECK_SECONDS, close)
