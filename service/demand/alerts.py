"""Alert lifecycle: one open alert per fingerprint; reruns update, never duplicate; every change an event.

Lifecycle: open → acknowledged → resolved; dismissed; snoozed until a date (then open again). A run that no
longer finds an open alert's condition resolves it (alert_resolution). A dismissed alert stays dismissed
whatever later runs find: only a designer reopens it. A resolved alert reopens on new evidence: a later run
whose effect (the alert's own measure: the concept's current share for emerging skills, the fall for fading
competencies and coverage, the share of employers for survey gaps) has grown by at least `reopen_margin` since
a designer resolved it, or, when a run resolved it, as soon as a later run finds the condition again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from kernel.clock import utcnow
from service.demand import webhooks
from service.demand.detection import Candidate
from service.demand.models import OPEN_STATUSES, Alert, AlertEvent

CLOSED_STATUSES = ("resolved", "dismissed")
STATUSES = ("open", "acknowledged", "snoozed", "resolved", "dismissed")
TRANSITIONS: dict[str, set[str]] = {
    "open": {"acknowledged", "snoozed", "resolved", "dismissed"},
    "acknowledged": {"open", "snoozed", "resolved", "dismissed"},
    "snoozed": {"open", "acknowledged", "snoozed", "resolved", "dismissed"},
    "resolved": {"open"},
    "dismissed": {"open"},
}


class TransitionError(ValueError):
    """A status change the lifecycle does not allow; `status_code` is the HTTP answer (400 or 409)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.status_code = status_code


def fingerprint(credential_id: int, kind: str, subject: str) -> str:
    return hashlib.sha256(f"{credential_id}|{kind}|{subject}".encode()).hexdigest()


def make_event(
    alert: Alert,
    event: str,
    frm: str | None,
    to: str | None,
    note: str | None = None,
    actor: int | None = None,
    at: datetime | None = None,
) -> AlertEvent:
    return AlertEvent(
        org_id=alert.org_id,
        alert_id=alert.id,
        event=event,
        from_status=frm,
        to_status=to,
        note=note,
        actor_user_id=actor,
        at=at or utcnow(),
    )


@dataclass(slots=True)
class KnownAlerts:
    """A run's alerts read ahead, by fingerprint: the open ones and the latest closed one of each fingerprint
    the run raises (two statements instead of one or two per candidate)."""

    open: dict[str, Alert]
    closed: dict[str, Alert]


async def known_alerts(
    session: AsyncSession, org_id: int, standing: Iterable[Alert], fingerprints: Iterable[str]
) -> KnownAlerts:
    """The open alerts (`standing`, read before the run records anything) and the latest closed alert of each
    of `fingerprints` that has no open one."""
    known = KnownAlerts({alert.fingerprint: alert for alert in standing}, {})
    wanted = sorted(set(fingerprints) - set(known.open))
    for i in range(0, len(wanted), 500):
        rows = await session.scalars(
            select(Alert)
            .where(
                Alert.org_id == org_id,
                Alert.fingerprint.in_(wanted[i : i + 500]),
                Alert.status.in_(CLOSED_STATUSES),
            )
            .order_by(Alert.id)
        )
        known.closed.update((alert.fingerprint, alert) for alert in rows)  # the latest id wins
    return known


async def _current_and_closed(
    session: AsyncSession, org_id: int, fp: str, known: KnownAlerts | None
) -> tuple[Alert | None, Alert | None]:
    if known is not None:
        current = known.open.get(fp)
        return current, (None if current is not None else known.closed.get(fp))
    current = await session.scalar(
        select(Alert).where(Alert.org_id == org_id, Alert.fingerprint == fp, Alert.status.in_(OPEN_STATUSES))
    )
    if current is not None:
        return current, None
    closed = await session.scalar(
        select(Alert)
        .where(Alert.org_id == org_id, Alert.fingerprint == fp, Alert.status.in_(CLOSED_STATUSES))
        .order_by(Alert.id.desc())
        .limit(1)
    )
    return None, closed


async def record_candidate(
    session: AsyncSession,
    org_id: int,
    credential_id: int,
    run_id: int | None,
    candidate: Candidate,
    reopen_margin: float,
    now: datetime,
    known: KnownAlerts | None = None,
) -> str:
    """Open, update or reopen the alert for a candidate.

    Returns opened | updated | refreshed | unchanged | reopened | kept_closed. An open alert's evidence
    follows every run, but only a material change (another severity, or an effect moved by
    `reopen_margin`) is an "updated" event and webhook: the nightly run must not notify about every alert
    every night. `known` (a drift run's, read ahead) answers which alert the candidate's fingerprint has; a
    designer's change of its status since is caught by the version checks of `bump_version`.
    """
    fp = fingerprint(credential_id, candidate.kind, candidate.subject)
    title = candidate.title[:1000]
    current, closed = await _current_and_closed(session, org_id, fp, known)
    if current is not None:
        return await _update_open(session, org_id, run_id, candidate, reopen_margin, now, current)
    if closed is not None:
        outcome = await _reopen(session, org_id, run_id, candidate, reopen_margin, now, closed)
        if known is not None and closed.status in OPEN_STATUSES:  # a repeat of it in the run updates it
            known.open[fp] = known.closed.pop(fp)
        return outcome
    alert = Alert(
        org_id=org_id,
        credential_id=credential_id,
        drift_run_id=run_id,
        kind=candidate.kind,
        concept_id=candidate.concept_id,
        competency_id=candidate.competency_id,
        fingerprint=fp,
        status="open",
        severity=candidate.severity,
        title=title,
        evidence=candidate.evidence,
        opened_at=now,
        updated_at=now,
    )
    session.add(alert)
    await session.flush()
    if known is not None:
        known.open[fp] = alert  # as a query would now find it
    session.add(make_event(alert, "opened", None, "open", "raised by a drift run", at=now))
    await webhooks.enqueue(session, org_id, "alert.opened", alert)
    return "opened"


async def _update_open(
    session: AsyncSession,
    org_id: int,
    run_id: int | None,
    candidate: Candidate,
    reopen_margin: float,
    now: datetime,
    current: Alert,
) -> str:
    """unchanged | refreshed (new evidence, nothing material) | updated (an event and a webhook)."""
    title = candidate.title[:1000]
    if (
        current.evidence == candidate.evidence
        and current.severity == candidate.severity
        and current.title == title
    ):
        return "unchanged"
    material = current.severity != candidate.severity or _effect_moved(
        current.evidence, candidate.evidence, reopen_margin
    )
    if material and not await bump_version(session, current, Alert.status.in_(OPEN_STATUSES)):
        return "unchanged"  # closed by a designer meanwhile: their decision stands until the next run
    current.evidence = candidate.evidence
    current.title = title
    current.drift_run_id = run_id
    if not material:
        return "refreshed"
    current.severity = candidate.severity
    current.updated_at = now
    session.add(
        make_event(
            current, "updated", current.status, current.status, "new evidence from a drift run", at=now
        )
    )
    if current.status != "snoozed":
        await webhooks.enqueue(session, org_id, "alert.updated", current)
    return "updated"


async def _reopen(
    session: AsyncSession,
    org_id: int,
    run_id: int | None,
    candidate: Candidate,
    reopen_margin: float,
    now: datetime,
    closed: Alert,
) -> str:
    """kept_closed | unchanged (a designer acted meanwhile) | reopened."""
    title = candidate.title[:1000]
    if closed.status == "dismissed":
        return "kept_closed"  # a designer's dismissal is never undone by a machine
    by_run = await _resolved_by_run(session, closed)
    if not _new_evidence(closed.evidence, candidate.evidence, 0.0 if by_run else reopen_margin):
        return "kept_closed"
    previous = closed.status
    if not await bump_version(session, closed, Alert.status == previous):
        return "unchanged"  # reopened by a designer meanwhile
    closed.status = "open"
    closed.evidence = candidate.evidence
    closed.severity = candidate.severity
    closed.title = title
    closed.drift_run_id = run_id
    closed.updated_at = now
    closed.resolved_at = None
    closed.snooze_until = None
    why = (
        "the condition holds again since a drift run resolved it"
        if by_run
        else "new evidence since it was closed"
    )
    session.add(make_event(closed, "reopened", previous, "open", why, at=now))
    await webhooks.enqueue(session, org_id, "alert.opened", closed)
    return "reopened"


async def bump_version(session: AsyncSession, alert: Alert, *still: ColumnElement[bool]) -> bool:
    """Count a change of the alert's state (version + 1, in SQL) if the row still matches `still`.

    False when another transaction changed it first (PostgreSQL re-checks the condition after waiting for the
    row lock), so a drift run and a designer never both act on the same state; see alert_transitions.
    """
    version = await session.scalar(
        update(Alert)
        .where(Alert.id == alert.id, *still)
        .values(version=Alert.version + 1)
        .returning(Alert.version)
        .execution_options(synchronize_session=False)
    )
    if version is None:
        return False
    set_committed_value(alert, "version", version)
    return True


async def _resolved_by_run(session: AsyncSession, alert: Alert) -> bool:
    """The alert was last closed by a drift run resolving it (not by a designer)."""
    last = await session.scalar(
        select(AlertEvent.event)
        .where(AlertEvent.alert_id == alert.id, AlertEvent.to_status.in_(CLOSED_STATUSES))
        .order_by(AlertEvent.at.desc(), AlertEvent.id.desc())
        .limit(1)
    )
    return last == "resolved"


def _effect_moved(old: dict, new: dict, margin: float) -> bool:
    try:
        return abs(float(new.get("effect", 0.0)) - float(old.get("effect", 0.0))) >= margin - 1e-12
    except (TypeError, ValueError):
        return True


def _new_evidence(old: dict, new: dict, margin: float) -> bool:
    """A later window whose effect grew by at least `margin` since the alert was closed."""
    if str(new.get("as_of", "")) <= str(old.get("as_of", "")):
        return False
    try:
        return float(new.get("effect", 0.0)) >= float(old.get("effect", 0.0)) + margin - 1e-12
    except (TypeError, ValueError):
        return False


WAKE_BATCH = 500


async def wake_snoozed(
    session: AsyncSession, org_id: int | None = None, now: datetime | None = None, batch: int = WAKE_BATCH
) -> int:
    """Snoozed alerts whose date has come are open again, each with one event and one webhook.

    Run by the scheduled job `demand.snooze-wake` (every organisation) and by a drift run (its own); never
    by a read. The conditional UPDATE (still snoozed, date come) ... RETURNING is the claim: when several
    replicas, or a job and a drift run, wake at once, each alert is woken by exactly one of them, so one
    event and one webhook per alert.
    """
    now = now or utcnow()
    woken = 0
    while True:
        due = [Alert.status == "snoozed", Alert.snooze_until <= now]
        if org_id is not None:
            due.append(Alert.org_id == org_id)
        batch_ids = select(Alert.id).where(*due).order_by(Alert.id).limit(batch).scalar_subquery()
        ids = list(
            await session.scalars(
                update(Alert)
                .where(Alert.id.in_(batch_ids), *due)
                .values(status="open", snooze_until=None, updated_at=now, version=Alert.version + 1)
                .returning(Alert.id)
                .execution_options(synchronize_session=False)
            )
        )
        if ids:
            alerts = await session.scalars(
                select(Alert)
                .where(Alert.id.in_(ids))
                .order_by(Alert.id)
                .execution_options(populate_existing=True)
            )
            for alert in alerts.all():
                session.add(make_event(alert, "status", "snoozed", "open", "snooze ended", at=now))
                await webhooks.enqueue(session, alert.org_id, "alert.updated", alert)
            woken += len(ids)
        if len(ids) < batch:
            return woken
