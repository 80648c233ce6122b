"""A designer's change to an alert: validated, then a compare-and-set on the alert's version.

Of two concurrent changes made from the same state one wins and the other raises AlertChanged (409) with the
current alert, instead of both writing an event and notifying webhooks twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from kernel.clock import utcnow
from service.demand import webhooks
from service.demand.alerts import CLOSED_STATUSES, STATUSES, TRANSITIONS, TransitionError, make_event
from service.demand.models import OPEN_STATUSES, Alert


class AlertChanged(TransitionError):
    """The alert changed since the caller read it (another request won the race, or a stale expected_version);
    `alert` holds its current state."""

    def __init__(self, alert: Alert) -> None:
        super().__init__(
            f"alert {alert.id} was changed meanwhile (it is now {alert.status}, version {alert.version}); "
            "read it again and decide",
            409,
        )
        self.alert = alert


def _snooze_end(
    status: str | None, snooze_until: date | datetime | None, now: datetime, max_snooze_days: int
) -> datetime | None:
    """The validated end of a snooze (None unless snoozing); raises TransitionError (400) for a bad one."""
    if status != "snoozed":
        if snooze_until is not None:
            raise TransitionError("snooze_until goes with status 'snoozed'", 400)
        return None
    if snooze_until is None:
        raise TransitionError("status 'snoozed' needs snooze_until (a future date)", 400)
    until = (
        snooze_until if isinstance(snooze_until, datetime) else datetime.combine(snooze_until, time(), UTC)
    )
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until <= now:
        raise TransitionError("snooze_until must be in the future", 400)
    if until > now + timedelta(days=max_snooze_days):
        raise TransitionError(f"snooze_until may be at most {max_snooze_days} days ahead", 400)
    return until.astimezone(UTC)


async def change_status(
    session: AsyncSession,
    alert: Alert,
    actor_user_id: int | None,
    status: str | None,
    note: str | None,
    snooze_until: date | datetime | None,
    now: datetime | None = None,
    *,
    expected_version: int | None = None,
    max_snooze_days: int = 365,
) -> Alert:
    """Apply a designer's change (status and/or note), recording the event and notifying webhooks.

    A status change is a compare-and-set on the alert's version (`UPDATE ... WHERE version = :read`): of two
    concurrent changes made from the same state one wins and the other raises AlertChanged (409) with the
    current alert, instead of both writing their event and webhook. PostgreSQL makes the loser wait on the
    winner's row lock and then re-check the condition; SQLite serialises writers.
    """
    now = now or utcnow()
    if status is not None and status not in STATUSES:
        raise TransitionError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}", 400)
    until = _snooze_end(status, snooze_until, now, max_snooze_days)
    if status is None and not note:
        raise TransitionError("nothing to change: give a status, a note or both", 400)
    if expected_version is not None and expected_version != alert.version:
        raise AlertChanged(alert)
    if status is None:
        session.add(make_event(alert, "note", alert.status, alert.status, note, actor_user_id, now))
        return alert
    previous = alert.status
    if status not in TRANSITIONS[previous]:
        raise TransitionError(f"an alert that is {previous} cannot become {status}")
    if status == "open" and previous in CLOSED_STATUSES:
        await _check_no_open_twin(session, alert)
    await _compare_and_set(session, alert, status, until, now)
    session.add(make_event(alert, "status", previous, status, note, actor_user_id, now))
    event = (
        "alert.resolved"
        if status in CLOSED_STATUSES
        else ("alert.opened" if previous in CLOSED_STATUSES else "alert.updated")
    )
    await webhooks.enqueue(session, alert.org_id, event, alert)
    return alert


async def _check_no_open_twin(session: AsyncSession, alert: Alert) -> None:
    """Reopening is refused while another alert is open for the same finding (one open per fingerprint)."""
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


async def _compare_and_set(
    session: AsyncSession, alert: Alert, status: str, until: datetime | None, now: datetime
) -> None:
    """The status change as one UPDATE on the version read; AlertChanged when another change came first."""
    values = {
        "status": status,
        "snooze_until": until,
        "updated_at": now,
        "resolved_at": now if status in CLOSED_STATUSES else None,
        "version": alert.version + 1,
    }
    result = await session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.version == alert.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await session.refresh(alert)
        raise AlertChanged(alert)
    for key, value in values.items():  # what the row now holds, without a second UPDATE at flush
        set_committed_value(alert, key, value)
