"""Alerts as the API and the dashboard read and change them: the filtered inbox, one alert with its events,
the open alerts by kind and severity, and the bulk acknowledge (through `change_status`, the one status
machine). A caller's mistake is a domain error (`AlertNotFound`), which each caller words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.auth.models import User
from service.demand.alert_transitions import AlertChanged, change_status
from service.demand.models import OPEN_STATUSES, Alert, AlertEvent


class AlertNotFound(LookupError):
    """No such alert in the organisation."""


@dataclass(frozen=True, slots=True)
class AlertFilters:
    """What the inbox narrows to; None is no filter. `open_only`: open, acknowledged or snoozed (what a
    credential's page lists)."""

    status: str | None = None
    credential_id: int | None = None
    kind: str | None = None
    severity: str | None = None
    open_only: bool = False


async def list_alerts(
    session: AsyncSession, org_id: int, filters: AlertFilters, limit: int, offset: int
) -> tuple[list[Alert], int]:
    """The organisation's alerts matching the filters, most recently changed first, and how many match."""
    conds = [col(Alert.org_id) == org_id]
    if filters.status:
        conds.append(col(Alert.status) == filters.status)
    if filters.open_only:
        conds.append(col(Alert.status).in_(OPEN_STATUSES))
    if filters.credential_id is not None:
        conds.append(col(Alert.credential_id) == filters.credential_id)
    if filters.kind:
        conds.append(col(Alert.kind) == filters.kind)
    if filters.severity:
        conds.append(col(Alert.severity) == filters.severity)
    total = await session.scalar(select(func.count()).select_from(Alert).where(*conds))
    rows = await session.scalars(
        select(Alert)
        .where(*conds)
        .order_by(col(Alert.updated_at).desc(), col(Alert.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def get_alert(session: AsyncSession, org_id: int, alert_id: int) -> Alert:
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.org_id != org_id:
        raise AlertNotFound(f"alert {alert_id} not found")
    return alert


async def alert_events(session: AsyncSession, alert: Alert) -> list[tuple[AlertEvent, str | None]]:
    """Every change in the alert's life, oldest first, each with its actor's email (None for a drift run)."""
    rows = await session.execute(
        select(AlertEvent, col(User.email))
        .outerjoin(User, col(User.id) == AlertEvent.actor_user_id)
        .where(col(AlertEvent.alert_id) == alert.id, col(AlertEvent.org_id) == alert.org_id)
        .order_by(col(AlertEvent.at), col(AlertEvent.id))
    )
    return [(event, email) for event, email in rows.all()]


async def open_alert_counts(session: AsyncSession, org_id: int) -> list[tuple[str, str, int]]:
    """(kind, severity, count) of the organisation's open alerts (open, acknowledged or snoozed)."""
    rows = await session.execute(
        select(col(Alert.kind), col(Alert.severity), func.count())
        .where(col(Alert.org_id) == org_id, col(Alert.status).in_(OPEN_STATUSES))
        .group_by(col(Alert.kind), col(Alert.severity))
    )
    return [(kind, severity, int(count)) for kind, severity, count in rows.all()]


async def acknowledge_open(
    session: AsyncSession, org_id: int, alert_ids: Iterable[int], actor_user_id: int | None
) -> int:
    """Acknowledge those of the ids that are the organisation's open alerts; how many were acknowledged.

    Others (handled already, another organisation's, unknown) are left; one that someone else changed
    meanwhile keeps their change.
    """
    ids = set(alert_ids)
    if not ids:
        return 0
    alerts = await session.scalars(
        select(Alert).where(col(Alert.org_id) == org_id, col(Alert.id).in_(ids), col(Alert.status) == "open")
    )
    done = 0
    for alert in list(alerts):
        try:
            await change_status(session, alert, actor_user_id, "acknowledged", None, None)
        except AlertChanged:
            continue  # someone else changed it meanwhile: theirs stands
        done += 1
    return done
