"""`skillpulse alerts send-digests` as an operator runs it (in-process: tests/support/cli.py) against the test
database, mailing a real SMTP server on loopback; run twice, it sends once."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from tests.support.cli import Ran
from tests.support.cli import run_cli as run_command
from tests.support.demand_data import make_credential
from tests.support.digests import BASE_URL, alert_with_history
from tests.support.smtp import smtp_server


def run_cli(args: list[str], database_url: str, smtp_port: int) -> Ran:
    env = {
        **os.environ,
        "SKILLPULSE_DATABASE_URL": database_url,
        "SKILLPULSE_SMTP_HOST": "127.0.0.1",
        "SKILLPULSE_SMTP_PORT": str(smtp_port),
        "SKILLPULSE_BASE_URL": BASE_URL,
        "COLUMNS": "200",
    }
    return run_command(env, "alerts", "send-digests", *args)


async def test_send_digests_by_hand_sends_once(app, api, tenant, database_url):
    cred = await make_credential(app, tenant.org_id, "HVAC Certificate", ["49-9021.00"])
    assert (await api.request("PUT", "/api/v1/me/notifications", json={"digest": "daily"})).status_code == 200
    day = datetime(2026, 10, 14, tzinfo=UTC)
    await alert_with_history(
        app,
        tenant.org_id,
        cred.credential_id,
        "Heat pumps",
        [("opened", None, "open", day + timedelta(hours=3), None)],
    )
    with smtp_server() as server:
        first = run_cli(["--period", "daily", "--now", "2026-10-15T06:00"], database_url, server.port)
        second = run_cli(["--period", "daily", "--now", "2026-10-15"], database_url, server.port)
        mine = [m for m in server.received if tenant.designer_email in m.recipients]
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["daily queued"] >= 1 and "weekly queued" not in first.stdout
    assert second.returncode == 0 and json.loads(second.stdout)["daily already done"] >= 1
    assert len(mine) == 1 and "Heat pumps" in mine[0].body and "HVAC Certificate" in mine[0].body


def test_bad_arguments_exit_2_saying_what_is_wrong(database_url):
    period = run_cli(["--period", "hourly"], database_url, 25)
    assert period.returncode == 2 and "--period must be daily or weekly" in period.stderr
    when = run_cli(["--now", "next tuesday"], database_url, 25)
    assert when.returncode == 2 and "is not an ISO date or time" in when.stderr
    assert "Traceback" not in period.stderr + when.stderr
