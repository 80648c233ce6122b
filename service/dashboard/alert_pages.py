"""The alerts inbox (filters, bulk acknowledge) and one alert's page (evidence in words, history, lifecycle).

Listing, reading and changing alerts go through the same demand services as /api/v1/alerts
(`demand/alert_services.py`, the status machine `change_status`), so the dashboard and the API show the same
alerts, record the same events and notify the same webhooks.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.credentials import services as credential_service
from service.dashboard.alert_words import KIND_NAMES, describe, window_dates
from service.dashboard.rendering import GUARDS, WRITE, page, read_form, see_other
from service.demand import alert_services
from service.demand.alert_services import AlertFilters
from service.demand.alert_transitions import AlertChanged, change_status
from service.demand.alerts import STATUSES, TRANSITIONS, TransitionError
from service.demand.models import Alert
from service.dependencies import CurrentPrincipal

PAGE_SIZE = 50
SEVERITIES = ("high", "medium", "low")
ACTIONS = {  # target status -> button label
    "acknowledged": "Acknowledge",
    "resolved": "Resolve",
    "dismissed": "Dismiss",
    "open": "Reopen",
    "snoozed": "Snooze",
}


@get("/app/alerts", include_in_schema=False)
async def inbox(
    db_session: DbSession,
    principal: CurrentPrincipal,
    kind: FromQuery[str | None] = None,
    credential_id: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    severity: FromQuery[str | None] = None,
    offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
    done: FromQuery[str | None] = None,
) -> Template:
    """Open alerts by default, most recently changed first; every filter is a GET parameter (bookmarkable).

    A read never changes an alert: snoozes whose date has come are ended by the scheduled job.
    """
    status = status if status in (*STATUSES, "all") else "open"
    chosen_credential = int(credential_id) if credential_id and credential_id.isdigit() else None
    filters = AlertFilters(
        status=None if status == "all" else status,
        credential_id=chosen_credential,
        kind=kind if kind in KIND_NAMES else None,
        severity=severity if severity in SEVERITIES else None,
    )
    rows, total = await alert_services.list_alerts(db_session, principal.org_id, filters, PAGE_SIZE, offset)
    credentials = await credential_service.credential_names(db_session, principal.org_id)
    notice = None
    if done and done.startswith("ack-") and done[4:].isdigit():
        count = int(done[4:])
        notice = f"{count} alert{'s' if count != 1 else ''} acknowledged."
    return page(
        "alerts.html",
        principal,
        title="Alerts",
        active="alerts",
        alerts=rows,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        credentials=credentials,
        kinds=KIND_NAMES,
        statuses=STATUSES,
        severities=SEVERITIES,
        filters={
            "kind": kind or "",
            "credential_id": chosen_credential,
            "status": status,
            "severity": severity or "",
        },
        notice=notice,
    )


@post("/app/alerts/acknowledge", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def bulk_acknowledge(request: Request, db_session: DbSession, principal: CurrentPrincipal) -> Redirect:
    """Acknowledges the ticked alerts that are open; others (handled already, another org's) are left."""
    form = await read_form(request)
    ids = {
        int(v) for v in form.getall("alert_id", [])[: PAGE_SIZE * 10] if isinstance(v, str) and v.isdigit()
    }
    done = await alert_services.acknowledge_open(db_session, principal.org_id, ids, principal.user_id)
    back = str(form.get("back") or "")
    back = back if re.fullmatch(r"\?[A-Za-z0-9_=&%.+-]*", back) else ""  # the inbox filters only
    separator = "&" if back else "?"
    return see_other(f"/app/alerts{back}{separator}done=ack-{done}")


async def _alert_or_404(db_session: DbSession, alert_id: int, org_id: int) -> Alert:
    try:
        return await alert_services.get_alert(db_session, org_id, alert_id)
    except alert_services.AlertNotFound as exc:
        raise NotFoundException(str(exc)) from None


async def _alert_page(
    db_session: DbSession,
    principal: CurrentPrincipal,
    alert: Alert,
    *,
    status_code: int = 200,
    error: str | None = None,
    max_snooze_days: int = 365,
) -> Template:
    credential = await credential_service.credential_or_none(db_session, alert.org_id, alert.credential_id)
    competency = await credential_service.competency_or_none(db_session, alert.org_id, alert.competency_id)
    events = await alert_services.alert_events(db_session, alert)
    evidence = alert.evidence or {}
    return page(
        "alert.html",
        principal,
        title=f"Alert {alert.id}",
        active="alerts",
        status_code=status_code,
        error=error,
        alert=alert,
        credential=credential,
        competency=competency,
        kind_name=KIND_NAMES.get(alert.kind, alert.kind),
        sentences=describe(alert.kind, evidence),
        windows=window_dates(evidence),
        snippets=[s for s in evidence.get("snippets") or [] if isinstance(s, dict)],
        quotes=[q for q in evidence.get("survey_quotes") or [] if isinstance(q, dict | str)],
        events=events,
        actions=[(s, ACTIONS[s]) for s in ACTIONS if s in TRANSITIONS.get(alert.status, set())],
        tomorrow=(date.today() + timedelta(days=1)).isoformat(),
        latest=(date.today() + timedelta(days=max_snooze_days)).isoformat(),
    )


@get("/app/alerts/{alert_id:int}", include_in_schema=False)
async def alert_page(
    request: Request, alert_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template:
    alert = await _alert_or_404(db_session, alert_id, principal.org_id)
    return await _alert_page(db_session, principal, alert, max_snooze_days=_max_snooze_days(request))


def _max_snooze_days(request: Request) -> int:
    return request.app.state.settings.drift.max_snooze_days


@post("/app/alerts/{alert_id:int}", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def update_alert(
    request: Request, alert_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    alert = await _alert_or_404(db_session, alert_id, principal.org_id)
    form = await read_form(request)
    status = str(form.get("status") or "").strip() or None
    note = str(form.get("note") or "").strip() or None
    until_text = str(form.get("snooze_until") or "").strip()
    version_text = str(form.get("version") or "").strip()
    error = None
    until = None
    if note and len(note) > 4000:
        error = "The note is longer than 4,000 characters."
    elif version_text and not (version_text.isdigit() and len(version_text) < 10):
        error = "The form is damaged (version); reload the page."
    elif until_text and status == "snoozed":
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            error = "Snooze until must be a date (YYYY-MM-DD)."
    if error is None:
        try:
            await change_status(
                db_session,
                alert,
                principal.user_id,
                status,
                note,
                until,
                expected_version=int(version_text) if version_text else None,
                max_snooze_days=_max_snooze_days(request),
            )
        except AlertChanged as exc:
            error = (
                f"Someone else changed this alert while you had it open: it is now {exc.alert.status}. "
                "Nothing was saved; here it is as it stands, decide again."
            )
            status_code = 409
        except TransitionError as exc:
            error = str(exc)[:1].upper() + str(exc)[1:] + "."
            status_code = exc.status_code
        else:
            return see_other(f"/app/alerts/{alert.id}")
    else:
        status_code = 400
    await db_session.rollback()
    alert = await _alert_or_404(db_session, alert_id, principal.org_id)
    return await _alert_page(
        db_session,
        principal,
        alert,
        status_code=status_code,
        error=error,
        max_snooze_days=_max_snooze_days(request),
    )


route_handlers = [inbox, bulk_acknowledge, alert_page, update_alert]
