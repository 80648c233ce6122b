"""`skillpulse serve --demo` as a newcomer runs it: on an empty SQLite database it loads the whole story in
under two minutes with progress shown, prints how to sign in and a survey link that works; a second start
reuses the data and is quick."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.browser import free_port, server_env

pytestmark = pytest.mark.e2e

SKILLPULSE = str(Path(sys.executable).parent / "skillpulse")


def _serve_demo(database: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(f"sqlite+aiosqlite:///{database}", base)
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [SKILLPULSE, "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = started + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve --demo exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base, time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError(f"serve --demo did not answer in 180 s: {log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _signs_in(base: str, output: str) -> None:
    email, password = re.search(r"Sign in:\s+(\S+) / (\S+)", output).groups()
    with httpx.Client(base_url=base) as client:
        form = client.get("/app/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
        signed = client.post("/app/login", data={"email": email, "password": password, "_csrf_token": token})
        assert signed.status_code == 303
        overview = client.get("/app/")
        assert overview.status_code == 200 and "IT Support Specialist Certificate" in overview.text


def test_first_start_tells_the_story_and_the_second_reuses_it(tmp_path):
    database = tmp_path / "demo.db"
    first_log = tmp_path / "first.log"
    process, base, _ = _serve_demo(database, first_log)
    try:
        output = first_log.read_text()
        assert "Reading postings for skills" in output and "Checking credentials for drift" in output
        assert re.search(r"ready in \d+ s", output)  # the time is the visitor's to read; no test times it
        assert f"Dashboard:  {base}/app/" in output
        link = re.search(r"Survey link \(an employer's view\): (\S+)", output).group(1)
        assert link.startswith(f"{base}/s/")
        assert httpx.get(link).status_code == 200
        _signs_in(base, output)
    finally:
        _stop(process)

    second_log = tmp_path / "second.log"
    process, base, _ = _serve_demo(database, second_log)
    try:
        output = second_log.read_text()
        assert "reusing the demo data" in output and "Reading postings" not in output
        link = re.search(r"Survey link \(an employer's view\): (\S+)", output).group(1)
        assert httpx.get(link).status_code == 200
        _signs_in(base, output)
    finally:
        _stop(process)
