"""The survey form's per-address limit through a real `skillpulse serve` on loopback: X-Forwarded-For is read
only from configured proxies, and then only its right-most untrusted hop counts, so a client cannot get a new
address (and a fresh limit) by writing the header itself."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serve(tmp_path: Path, **env: str) -> Iterator[str]:
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SKILLPULSE_", "FORWARDED_ALLOW_IPS"))}
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env={
            **clean,
            "SKILLPULSE_ENV": "test",  # no NLP worker pool: this test needs none
            "SKILLPULSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'xff.db'}",
            "SKILLPULSE_RUN_WORKER": "false",
            "SKILLPULSE_RUN_SCHEDULER": "false",
            "SKILLPULSE_SURVEYS_RATE_PER_ADDRESS": str(LIMIT),
            # the limiter's windows are aligned fixed windows: an hour makes crossing one mid-test unlikely
            "SKILLPULSE_SURVEYS_RATE_WINDOW_SECONDS": "3600",
            **env,
        },
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(proc.stdout.read() if proc.poll() is not None else "serve did not start")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _form(base: str, forwarded_for: str) -> int:
    link = (
        f"{base}/s/{secrets.token_urlsafe(24)}"  # a new unknown link each time: only the address limit bites
    )
    return httpx.get(link, headers={"X-Forwarded-For": forwarded_for}, timeout=10).status_code


def test_without_trusted_proxies_a_changing_forwarded_for_does_not_reset_the_limit(tmp_path):
    with _serve(tmp_path) as base:
        statuses = [_form(base, f"203.0.113.{i}") for i in range(LIMIT + 3)]
    assert 429 not in statuses[:LIMIT] and statuses[LIMIT:] == [429] * 3, statuses


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_counts(tmp_path):
    with _serve(tmp_path, SKILLPULSE_TRUSTED_PROXIES="127.0.0.1") as base:
        # the client forges the first entry; the proxy (127.0.0.1) appended the address it saw
        statuses = [_form(base, f"203.0.113.{i}, 198.51.100.5") for i in range(LIMIT + 3)]
        other_client = _form(base, "203.0.113.1, 198.51.100.6")
    assert 429 not in statuses[:LIMIT] and statuses[LIMIT:] == [429] * 3, statuses
    assert other_client != 429  # a different client behind the same proxy has its own limit
