"""HTTP: the alert inbox, one alert with its events, and its lifecycle."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.di import DbSession
from kernel.schemas import Page
from service.demand import alert_services
from service.demand.alert_services import AlertFilters
from service.demand.alert_transitions import AlertChanged, change_status
from service.demand.alerts import TransitionError
from service.demand.models import Alert
from service.demand.schemas import (
    AlertDetail,
    AlertEventRead,
    AlertKind,
    AlertRead,
    AlertStatus,
    AlertUpdate,
    Severity,
)
from service.dependencies import CurrentPrincipal

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
        filters = AlertFilters(status=status, credential_id=credential_id, kind=kind, severity=severity)
        rows, total = await alert_services.list_alerts(db_session, principal.org_id, filters, limit, offset)
        return Page[AlertRead](
            items=[AlertRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
        )

    @get("/{alert_id:int}", operation_id="getAlert", raises=[NotFoundException])
    async def get_alert(
        self, alert_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> AlertDetail:
        """One alert with its evidence and every change in its life."""
        alert = await _alert_or_404(db_session, alert_id, principal.org_id)
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
        alert = await _alert_or_404(db_session, alert_id, principal.org_id)
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


async def _alert_or_404(session: AsyncSession, alert_id: int, org_id: int) -> Alert:
    try:
        return await alert_services.get_alert(session, org_id, alert_id)
    except alert_services.AlertNotFound as exc:
        raise NotFoundException(str(exc)) from None


async def _detail(session: AsyncSession, alert: Alert) -> AlertDetail:
    events = await alert_services.alert_events(session, alert)
    return AlertDetail(
        **AlertRead.model_validate(alert).model_dump(),
        events=[AlertEventRead.model_validate(e) for e, _ in events],
    )


route_handlers = [AlertController]
