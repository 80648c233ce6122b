"""Seeds for the demand routes of the authorisation matrix: alerts, drift runs, webhooks."""

from __future__ import annotations

from datetime import date

from litestar import Litestar

from service.db import session_scope
from service.demand.alerts import fingerprint
from service.demand.models import Alert, AlertEvent, DriftRun, Webhook
from tests.support.demand_data import make_credential
from tests.support.factories import Tenant


async def seed_alert(app: Litestar, tenant: Tenant) -> int:
    made = await make_credential(app, tenant.org_id, "Seeded demand credential", ["15-1232"])
    async with session_scope(app.state.engine) as session:
        alert = Alert(
            org_id=tenant.org_id,
            credential_id=made.credential_id,
            kind="emerging_skill",
            concept_id="http://example.org/seeded",
            severity="low",
            title="Seeded alert",
            fingerprint=fingerprint(made.credential_id, "emerging_skill", "http://example.org/seeded"),
            evidence={"as_of": "2026-01-01", "effect": 0.1},
        )
        session.add(alert)
        await session.flush()
        session.add(AlertEvent(org_id=tenant.org_id, alert_id=alert.id, event="opened", to_status="open"))
        return alert.id


async def seed_run(app: Litestar, tenant: Tenant) -> int:
    async with session_scope(app.state.engine) as session:
        run = DriftRun(org_id=tenant.org_id, as_of=date(2026, 1, 1), status="succeeded")
        session.add(run)
        await session.flush()
        return run.id


async def seed_webhook(app: Litestar, tenant: Tenant) -> int:
    async with session_scope(app.state.engine) as session:
        hook = Webhook(org_id=tenant.org_id, url="http://127.0.0.1:9/hook", secret="seeded-secret-0123456789")
        session.add(hook)
        await session.flush()
        return hook.id


SEEDS = {"alert_id": seed_alert, "run_id": seed_run, "webhook_id": seed_webhook}
BODIES = {"updateAlert": {"status": "acknowledged", "note": "seen"}, "updateWebhook": {"enabled": False}}
