"""Alerts with a history at chosen times (what a digest reports), and the settings to mail them through a
loopback SMTP server."""

from __future__ import annotations

from datetime import datetime

from litestar import Litestar

from service.db import session_scope
from service.demand.alerts import fingerprint
from service.demand.models import Alert, AlertEvent
from tests.support.clients import suite_settings

BASE_URL = "https://skillpulse.college.example"


def digest_settings(database_url: str, smtp_port: int):  # noqa: ANN201 - service.settings.Settings
    return suite_settings(
        database_url,
        server={"base_url": BASE_URL},
        smtp={
            "host": "127.0.0.1",
            "port": smtp_port,
            "from_address": "alerts@college.example",
            "timeout_seconds": 5,
        },
    )


async def alert_with_history(
    app: Litestar,
    org_id: int,
    credential_id: int,
    title: str,
    events: list[tuple[str, str | None, str, datetime, str | None]],  # (event, from, to, at, note)
    kind: str = "emerging_skill",
) -> int:
    """An alert whose events are the given ones; its status is the last event's."""
    async with session_scope(app.state.engine) as session:
        alert = Alert(
            org_id=org_id,
            credential_id=credential_id,
            kind=kind,
            severity="high",
            title=title,
            concept_id=f"http://example.org/{title}",
            fingerprint=fingerprint(credential_id, kind, title),
            status=events[-1][2],
            evidence={"as_of": "2026-11-30", "effect": 0.3, "concept": {"label": title}},
        )
        session.add(alert)
        await session.flush()
        for event, frm, to, at, note in events:
            session.add(
                AlertEvent(
                    org_id=org_id,
                    alert_id=alert.id,
                    event=event,
                    from_status=frm,
                    to_status=to,
                    at=at,
                    note=note,
                )
            )
        return alert.id
