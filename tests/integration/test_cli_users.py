"""The `skillpulse` CLI as an operator runs it, against the test database: `users create` in-process
(tests/support/cli.py); a bad setting in a real process, since what the process prints and exits with is the
point there."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from tests.support.cli import Ran
from tests.support.cli import run_cli as run_command

SKILLPULSE = [sys.executable, "-m", "service"]


def run_cli(args: list[str], database_url: str, **env: str) -> Ran:
    return run_command(
        {**os.environ, "SKILLPULSE_DATABASE_URL": database_url, "COLUMNS": "200", **env}, *args
    )


def run_process(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SKILLPULSE_DATABASE_URL": database_url, "COLUMNS": "200", **env}
    return subprocess.run([*SKILLPULSE, *args], capture_output=True, text=True, env=environment, timeout=120)


async def test_users_create_prints_a_working_token_last(database_url, client):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.org"
    result = run_cli(
        ["users", "create", "--org", f"CLI Org {email}", "--email", email, "--role", "designer"], database_url
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("sp_") and " " not in token
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == email
    assert me.json()["role"] == "designer"


def test_users_create_joins_an_existing_organisation(database_url):
    org = f"Shared {uuid.uuid4().hex[:8]}"
    first = run_cli(
        ["users", "create", "--org", org, "--email", f"a-{org[-8:]}@example.org", "--role", "admin"],
        database_url,
    )
    second = run_cli(
        ["users", "create", "--org", org, "--email", f"b-{org[-8:]}@example.org", "--role", "viewer"],
        database_url,
    )
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "created organisation" in first.stderr
    assert "using organisation" in second.stderr


def test_users_create_refuses_a_bad_role(database_url):
    result = run_cli(
        ["users", "create", "--org", "X", "--email", "x@example.org", "--role", "owner"], database_url
    )
    assert result.returncode != 0
    assert "role must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_stops_with_one_clear_line(database_url):
    result = run_process(["db", "upgrade"], "mysql://nope")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SKILLPULSE_DATABASE_URL" in lines[0]


def test_production_refuses_the_default_secret(database_url):
    result = run_process(["db", "upgrade"], database_url, SKILLPULSE_ENV="production")
    assert result.returncode == 2
    assert "SKILLPULSE_SECRET_KEY" in result.stderr
