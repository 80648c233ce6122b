"""Browser testing helpers shared by the e2e tests.

- `live_server`: the real app under uvicorn in a subprocess on a free 127.0.0.1 port, against the test
  database (the same one the in-process `app` fixture uses, so tests seed through either).
- `browser`: Playwright driving the system's Debian chromium, headless.
- `assert_accessible(page, name)`: an axe-core scan (axe-playwright-python bundles axe-core) that fails on any
  serious or critical violation; a screenshot of every scanned page is kept under test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BLOCKING_IMPACTS = ("serious", "critical")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
    env.update(
        {
            "SKILLPULSE_DATABASE_URL": database_url,
            "SKILLPULSE_ENV": "test",
            "SKILLPULSE_SECRET_KEY": "test-secret-key-0123456789",
            "SKILLPULSE_RUN_SCHEDULER": "false",
            "SKILLPULSE_RUN_WORKER": "false",
            "SKILLPULSE_BASE_URL": base_url,
            "SKILLPULSE_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


@contextlib.contextmanager
def run_server(database_url: str, workers: int = 1, **extra_env: str) -> Iterator[str]:
    """Start `uvicorn --factory service.app:create_app` and yield its base URL once /health answers."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS / f"server-{port}.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "service.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=server_env(database_url, base_url, **extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 300  # a hang guard: loading the NLP pool on a busy machine is slow
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"the server exited with {process.returncode}: {log_path.read_text()[-2000:]}"
                    )
                try:
                    # ready: the database answers and the NLP pool has loaded (a page that needs it, like a
                    # credential's standard profile, does not wait for the model inside a test's timeout)
                    if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the server was not ready (/health/ready) in 300 s: {log_path.read_text()[-2000:]}"
                    )
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[str]:
    with run_server(database_url) as base_url:
        yield base_url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            await instance.close()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"


async def screenshot(page, name: str) -> Path:  # noqa: ANN001 - playwright Page
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{_slug(name)}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def assert_accessible(page, name: str) -> list[dict]:  # noqa: ANN001 - playwright Page
    """Scan the page with axe-core (WCAG 2.0/2.1 A and AA rules and best practices); fail on serious/critical.

    Returns every violation found (minor and moderate ones included) for the caller to inspect.
    """
    from axe_playwright_python.async_playwright import Axe

    await screenshot(page, name)
    results = await Axe().run(page)
    violations = results.response.get("violations", [])
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} → {[n.get('target') for n in v.get('nodes', [])][:5]}"
            for v in blocking
        )
        (ARTIFACTS / f"{_slug(name)}.axe.txt").write_text(report)
        raise AssertionError(f"axe found serious/critical violations on {name}:\n{report}")
    return violations
