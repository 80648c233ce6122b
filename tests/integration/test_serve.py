"""`skillpulse serve` on a fresh SQLite file: upgrades the schema, then answers /health over real HTTP; with
SKILLPULSE_LOG_FORMAT=json every log line it writes is one JSON object."""

from __future__ import annotations

import json
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


def _serve_and_ask_health(tmp_path, **env_extra: str) -> tuple[object, str, str]:  # noqa: ANN001
    """Start serve, GET /health once it answers, stop it; (the health body, stdout, stderr)."""
    port = _free_port()
    env = {
        **os.environ,
        "SKILLPULSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        "SKILLPULSE_RUN_WORKER": "false",
        "SKILLPULSE_RUN_SCHEDULER": "false",
        **env_extra,
    }
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    body = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    return body, out, err


def test_serve_on_fresh_sqlite_answers_health(tmp_path):
    body, out, err = _serve_and_ask_health(tmp_path)
    assert body == {"status": "ok", "database": "ok"}, out + err
    assert (tmp_path / "fresh.db").exists()


def test_json_log_format_writes_one_object_per_line(tmp_path):
    body, out, err = _serve_and_ask_health(tmp_path, SKILLPULSE_LOG_FORMAT="json")
    assert body == {"status": "ok", "database": "ok"}, out + err
    log_lines = [line for line in err.splitlines() if line.strip()]
    entries = [json.loads(line) for line in log_lines]  # every stderr line: start-up, uvicorn, the app
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e["logger"].startswith("uvicorn") and "startup complete" in e["message"] for e in entries)
    # stdout: uvicorn's access log, JSON too
    access = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert any(e["logger"] == "uvicorn.access" and "GET /health" in e["message"] for e in access), out
    assert any(e["logger"] == "skillpulse.cli" and "upgrading" in e["message"] for e in entries)
