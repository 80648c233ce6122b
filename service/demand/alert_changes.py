"""What happened to an organisation's alerts in a period: opened, reopened, resolved (for digests)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.auth.models import User
from service.credentials.models import Credential
from service.demand.alerts import CLOSED_STATUSES
from service.demand.models import Alert, AlertEvent


@dataclass(frozen=True, slots=True)
class AlertChange:
    """One opening, reopening or resolution of an alert, with what a reader needs to follow it up."""

    alert_id: int
    credential_id: int
    credential_name: str
    kind: str
    severity: str
    title: str
    change: str  # opened | reopened | resolved
    at: datetime
    note: str | None
    by: str | None  # the designer who made the change; None: a drift run


def _change_of(event: str, from_status: str | None, to_status: str | None) -> str | None:
    if event == "opened":
        return "opened"
    if to_status == "resolved":
        return "resolved"
    if to_status == "open" and (event == "reopened" or from_status in CLOSED_STATUSES):
        return "reopened"
    return None


async def alert_changes(
    session: AsyncSession,
    org_id: int,
    start: datetime,
    end: datetime,
    credential_ids: Collection[int] | None = None,
) -> list[AlertChange]:
    """Openings, reopenings and resolutions in [start, end) of alerts on live credentials (all, or those
    listed), oldest first."""
    wanted = or_(
        col(AlertEvent.event) == "opened",
        col(AlertEvent.to_status) == "resolved",
        and_(
            col(AlertEvent.to_status) == "open",
            or_(col(AlertEvent.event) == "reopened", col(AlertEvent.from_status).in_(CLOSED_STATUSES)),
        ),
    )
    query = (
        select(AlertEvent, Alert, col(Credential.name), col(User.name), col(User.email))
        .join(Alert, col(Alert.id) == AlertEvent.alert_id)
        .join(Credential, col(Credential.id) == Alert.credential_id)
        .outerjoin(User, col(User.id) == AlertEvent.actor_user_id)
        .where(
            col(AlertEvent.org_id) == org_id,
            col(AlertEvent.at) >= start,
            col(AlertEvent.at) < end,
            col(Credential.deleted_at).is_(None),
            wanted,
        )
        .order_by(col(AlertEvent.at), col(AlertEvent.id))
    )
    if credential_ids is not None:
        query = query.where(col(Alert.credential_id).in_(list(credential_ids)))
    out: list[AlertChange] = []
    for event, alert, credential_name, user_name, user_email in (await session.execute(query)).all():
        change = _change_of(event.event, event.from_status, event.to_status)
        if change is None or alert.id is None:
            continue
        out.append(
            AlertChange(
                alert_id=alert.id,
                credential_id=alert.credential_id,
                credential_name=credential_name,
                kind=alert.kind,
                severity=alert.severity,
                title=alert.title,
                change=change,
                at=event.at,
                note=event.note,
                by=(user_name or user_email) if event.actor_user_id else None,
            )
        )
    return out
