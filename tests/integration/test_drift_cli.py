"""`skillpulse drift run` as an operator runs it (in-process: tests/support/cli.py), against the test
database."""

from __future__ import annotations

import json
import os
from datetime import date

from sqlalchemy import select

from service.db import session_scope
from service.demand.models import Alert, DriftRun
from tests.support.cli import Ran
from tests.support.cli import run_cli as run_command
from tests.support.demand_data import add_postings, make_credential, year_of_postings


def run_cli(args: list[str], database_url: str) -> Ran:
    env = {**os.environ, "SKILLPULSE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return run_command(env, *args)


async def test_drift_run_for_one_organisation_prints_its_outcome(app, tenant, database_url):
    made = await make_credential(app, tenant.org_id, "CLI Certificate", ["15-1232.00"], {"Use SQL": ["SQL"]})

    def shares(month: int) -> dict[str, float]:
        return {"SQL": 0.5, "Docker": 0.4 if month >= 9 else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 60, "15-1232.00", shares, seed=6)
    )
    result = run_cli(
        ["drift", "run", "--as-of", "2025-01-01", "--org", str(tenant.org_id), "--json"], database_url
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"organisation {tenant.org_id}: run" in result.stderr
        and "succeeded as of 2025-01-01" in result.stderr
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["summary"]["credentials"][str(made.credential_id)]["status"] == "ok"
    async with session_scope(app.state.engine) as session:
        run = await session.get(DriftRun, summary["id"])
        kinds = list(await session.scalars(select(Alert.kind).where(Alert.org_id == tenant.org_id)))
    assert run.trigger == "cli" and run.as_of == date(2025, 1, 1)
    assert "emerging_skill" in kinds

    again = run_cli(["drift", "run", "--as-of", "2025-01-01", "--org", tenant.name], database_url)
    assert again.returncode == 0 and "opened 0" in again.stderr


def test_drift_run_refuses_bad_input(database_url):
    bad_date = run_cli(["drift", "run", "--as-of", "01/02/2025"], database_url)
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    no_org = run_cli(["drift", "run", "--org", "No Such Organisation 123"], database_url)
    assert no_org.returncode == 2 and "no organisation" in no_org.stderr
