"""HTTP: the alert inbox, one alert with its events, and its lifecycle."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from sqlalchemy import func, select

from service.demand.alert_transitions import AlertChanged, change_status
from service.demand.alerts import TransitionError
from service.demand.models import Alert, AlertEvent
from service.demand.schemas import (
    AlertDetail,
    AlertEventRead,
    AlertKind,
    AlertRead,
    AlertStatus,
    AlertUpdate,
    Severity,
)
from service.dependencies import CurrentPrincipal, DbSession
from service.schemas import Page

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


class AlertController(Controller):
    path = "/api/v1/alerts"
    tags = ["alerts"]

    @get("/", operation_id="listAlerts")
    async def list_alerts(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        status: FromQuery[AlertStatus | None] = None,
        credential_id: FromQuery[int | None] = None,
        kind: FromQuery[AlertKind | None] = None,
        severity: FromQuery[Severity | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Page[AlertRead]:
        """The organisation's alerts, most recently changed first. A read never changes an alert: a snooze
        whose date has come is ended by the scheduled job `demand.snooze-wake` within a minute.
        """
        conds = [Alert.org_id == principal.org_id]
        if status:
            conds.append(Alert.status == status)
        if credential_id is not None:
            conds.append(Alert.credential_id == credential_id)
        if kind:
            conds.append(Alert.kind == kind)
        if severity:
            conds.append(Alert.severity == severity)
        total = await db_session.scalar(select(func.count()).select_from(Alert).where(*conds))
        rows = await db_session.scalars(
            select(Alert)
            .where(*conds)
            .order_by(Alert.updated_at.desc(), Alert.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return Page[AlertRead](
            items=[AlertRead.model_validate(r) for r in rows], total=total or 0, limit=limit, offset=offset
        )

    @get("/{alert_id:int}", operation_id="getAlert", raises=[NotFoundException])
    async def get_alert(
        self, alert_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> AlertDetail:
        """One alert with its evidence and every change in its life."""
        alert = await _owned(db_session, alert_id, principal.org_id)
        return await _detail(db_session, alert)

    @patch("/{alert_id:int}", operation_id="updateAlert", raises=[NotFoundException, ClientException])
    async def update_alert(
        self,
        request: Request,
        alert_id: FromPath[int],
        data: JSONBody[AlertUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> AlertDetail:
        """Acknowledge, resolve, dismiss, snooze (with snooze_until) or reopen an alert, with a note.

        A change that lost a race with another, or whose `expected_version` is not the alert's, is a 409 whose
        `extra.alert` is the alert as it is now.
        """
        alert = await _owned(db_session, alert_id, principal.org_id)
        try:
            await change_status(
                db_session,
                alert,
                principal.user_id,
                data.status,
                data.note,
                data.snooze_until,
                expected_version=data.expected_version,
                max_snooze_days=request.app.state.settings.drift.max_snooze_days,
            )
        except TransitionError as exc:
            current = exc.alert if isinstance(exc, AlertChanged) else alert
            extra = (
                {"alert": AlertRead.model_validate(current).model_dump(mode="json")}
                if exc.status_code == 409
                else None
            )
            raise ClientException(str(exc), status_code=exc.status_code, extra=extra) from None
        await db_session.flush()
        return await _detail(db_session, alert)


async def _owned(session, alert_id: int, org_id: int) -> Alert:  # noqa: ANN001 - AsyncSession
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.org_id != org_id:
        raise NotFoundException(f"alert {alert_id} not found")
    return alert


async def _detail(session, alert: Alert) -> AlertDetail:  # noqa: ANN001 - AsyncSession
    events = await session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.at, AlertEvent.id)
    )
    return AlertDetail(
        **AlertRead.model_validate(alert).model_dump(),
        events=[AlertEventRead.model_validate(e) for e in events],
    )


route_handlers = [AlertController]
