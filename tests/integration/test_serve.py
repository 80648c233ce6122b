"""`skillpulse serve` on a fresh SQLite file: upgrades the schema, then answers /health over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_on_fresh_sqlite_answers_health(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "SKILLPULSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        "SKILLPULSE_RUN_WORKER": "false",
        "SKILLPULSE_RUN_SCHEDULER": "false",
    }
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                body = response.json()
                break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert body == {"status": "ok", "database": "ok"}, proc.stdout.read() if proc.poll() is not None else body
        assert (tmp_path / "fresh.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
