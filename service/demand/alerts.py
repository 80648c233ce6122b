"""Alert lifecycle: one open alert per fingerprint; reruns update, never duplicate; every change an event.

Lifecycle: open → acknowledged → resolved; dismissed; snoozed until a date (then open again). A resolved or
dismissed alert stays closed until new evidence: a later run whose effect (the alert's own measure: the
concept's current share for emerging skills, the fall for fading competencies and coverage, the share of
employers for survey gaps) has grown by at least `reopen_margin` since it was closed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand import webhooks
from service.demand.detection import Candidate
from service.demand.models import OPEN_STATUSES, Alert, AlertEvent
from service.timeutil import utcnow

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


def _event(
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


async def record_candidate(
    session: AsyncSession,
    org_id: int,
    credential_id: int,
    run_id: int | None,
    candidate: Candidate,
    reopen_margin: float,
    now: datetime,
) -> str:
    """Open, update or reopen the alert for a candidate.

    Returns opened | updated | refreshed | unchanged | reopened | kept_closed. An open alert's evidence
    follows every run, but only a material change (another severity, or an effect moved by
    `reopen_margin`) is an "updated" event and webhook: the nightly run must not notify about every alert
    every night.
    """
    fp = fingerprint(credential_id, candidate.kind, candidate.subject)
    title = candidate.title[:1000]
    current = await session.scalar(
        select(Alert).where(Alert.org_id == org_id, Alert.fingerprint == fp, Alert.status.in_(OPEN_STATUSES))
    )
    if current is not None:
        if (
            current.evidence == candidate.evidence
            and current.severity == candidate.severity
            and current.title == title
        ):
            return "unchanged"
        material = current.severity != candidate.severity or _effect_moved(
            current.evidence, candidate.evidence, reopen_margin
        )
        current.evidence = candidate.evidence
        current.title = title
        current.drift_run_id = run_id
        if not material:
            return "refreshed"
        current.severity = candidate.severity
        current.updated_at = now
        session.add(
            _event(
                current, "updated", current.status, current.status, "new evidence from a drift run", at=now
            )
        )
        if current.status != "snoozed":
            await webhooks.enqueue(session, org_id, "alert.updated", current)
        return "updated"
    closed = await session.scalar(
        select(Alert)
        .where(Alert.org_id == org_id, Alert.fingerprint == fp, Alert.status.in_(CLOSED_STATUSES))
        .order_by(Alert.id.desc())
        .limit(1)
    )
    if closed is not None:
        if not _new_evidence(closed.evidence, candidate.evidence, reopen_margin):
            return "kept_closed"
        previous = closed.status
        closed.status = "open"
        closed.evidence = candidate.evidence
        closed.severity = candidate.severity
        closed.title = title
        closed.drift_run_id = run_id
        closed.updated_at = now
        closed.resolved_at = None
        closed.snooze_until = None
        session.add(_event(closed, "reopened", previous, "open", "new evidence since it was closed", at=now))
        await webhooks.enqueue(session, org_id, "alert.opened", closed)
        return "reopened"
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
    session.add(_event(alert, "opened", None, "open", "raised by a drift run", at=now))
    await webhooks.enqueue(session, org_id, "alert.opened", alert)
    return "opened"


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


async def change_status(
    session: AsyncSession,
    alert: Alert,
    actor_user_id: int | None,
    status: str | None,
    note: str | None,
    snooze_until: date | datetime | None,
    now: datetime | None = None,
) -> Alert:
    """Apply a designer's change (status and/or note), recording the event and notifying webhooks."""
    now = now or utcnow()
    if status is None:
        if snooze_until is not None:
            raise TransitionError("snooze_until goes with status 'snoozed'", 400)
        if not note:
            raise TransitionError("nothing to change: give a status, a note or both", 400)
        session.add(_event(alert, "note", alert.status, alert.status, note, actor_user_id, now))
        return alert
    if status not in STATUSES:
        raise TransitionError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}", 400)
    if status != "snoozed" and snooze_until is not None:
        raise TransitionError("snooze_until goes with status 'snoozed'", 400)
    until: datetime | None = None
    if status == "snoozed":
        if snooze_until is None:
            raise TransitionError("status 'snoozed' needs snooze_until (a future date)", 400)
        until = (
            snooze_until
            if isinstance(snooze_until, datetime)
            else datetime.combine(snooze_until, time(), UTC)
        )
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if until <= now:
            raise TransitionError("snooze_until must be in the future", 400)
    previous = alert.status
    if status not in TRANSITIONS[previous]:
        raise TransitionError(f"an alert that is {previous} cannot become {status}")
    if status == "open" and previous in CLOSED_STATUSES:
        clash = await session.scalar(
            select(Alert.id).where(
                Alert.org_id == alert.org_id,
                Alert.fingerprint == alert.fingerprint,
                Alert.status.in_(OPEN_STATUSES),
                Alert.id != alert.id,
            )
        )
        if clash is not None:
            raise TransitionError(f"alert {clash} is already open for the same finding")
    alert.status = status
    alert.snooze_until = until
    alert.updated_at = now
    alert.resolved_at = now if status in CLOSED_STATUSES else None
    session.add(_event(alert, "status", previous, status, note, actor_user_id, now))
    event = (
        "alert.resolved"
        if status in CLOSED_STATUSES
        else ("alert.opened" if previous in CLOSED_STATUSES else "alert.updated")
    )
    await webhooks.enqueue(session, alert.org_id, event, alert)
    return alert


async def wake_snoozed(session: AsyncSession, org_id: int, now: datetime | None = None) -> int:
    """Snoozed alerts whose date has come are open again (an event each)."""
    now = now or utcnow()
    rows = (
        await session.scalars(
            select(Alert).where(Alert.org_id == org_id, Alert.status == "snoozed", Alert.snooze_until <= now)
        )
    ).all()
    for alert in rows:
        alert.status = "open"
        alert.snooze_until = None
        alert.updated_at = now
        session.add(_event(alert, "status", "snoozed", "open", "snooze ended", at=now))
        await webhooks.enqueue(session, org_id, "alert.updated", alert)
    return len(rows)
