"""A credential's alerts with their histories: what was raised, and what designers decided about it (each
status change with who, when and their note). The program-review report reads it; the API's alert detail
reads the same events."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.auth.models import User
from service.demand.models import OPEN_STATUSES, Alert, AlertEvent
from service.demand.schemas import AlertEventRead, AlertRead

HISTORY_LIMIT = 200


@dataclass(slots=True)
class AlertEventEntry:
    event: AlertEventRead
    actor: str | None  # the designer's email; None for the drift run (or a deleted user)


@dataclass(slots=True)
class AlertHistory:
    alert: AlertRead
    events: list[AlertEventEntry]

    @property
    def is_open(self) -> bool:
        return self.alert.status in OPEN_STATUSES

    @property
    def decisions(self) -> list[AlertEventEntry]:
        """The changes people made (status changes and notes), not the drift run's own updates."""
        return [e for e in self.events if e.event.actor_user_id is not None or e.event.event == "status"]


async def credential_alert_history(
    session: AsyncSession, org_id: int, credential_id: int, limit: int = HISTORY_LIMIT
) -> list[AlertHistory]:
    """The credential's alerts (open and closed), most recently changed first, each with its events."""
    alerts = list(
        await session.scalars(
            select(Alert)
            .where(col(Alert.org_id) == org_id, col(Alert.credential_id) == credential_id)
            .order_by(col(Alert.updated_at).desc(), col(Alert.id).desc())
            .limit(limit)
        )
    )
    if not alerts:
        return []
    rows = await session.execute(
        select(AlertEvent, col(User.email))
        .outerjoin(User, col(User.id) == AlertEvent.actor_user_id)
        .where(col(AlertEvent.org_id) == org_id, col(AlertEvent.alert_id).in_([a.id for a in alerts]))
        .order_by(col(AlertEvent.at), col(AlertEvent.id))
    )
    events: dict[int, list[AlertEventEntry]] = defaultdict(list)
    for event, email in rows.all():
        events[event.alert_id].append(AlertEventEntry(AlertEventRead.model_validate(event), email))
    return [AlertHistory(AlertRead.model_validate(a), events.get(a.id or 0, [])) for a in alerts]
