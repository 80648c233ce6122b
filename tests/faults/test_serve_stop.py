"""SIGTERM of a real `skillpulse serve` at any moment (during start-up, while the NLP worker loads the
model, once it is up and idle) leaves no process behind: not the spaCy worker, not the resource tracker.

Every process `serve` starts inherits its environment, so a marker variable finds them all, also those that
were re-parented to PID 1 when `serve` went.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

ROOT = Path(__file__).resolve().parents[2]
MARK = "SKILLPULSE_TEST_STOP_MARK"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _marked(mark: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment carries the marker."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":  # exited, waiting for its parent to reap it
                continue
            found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def _serve(tmp_path: Path, port: int, mark: str, command: tuple[str, ...] = ()) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
    env.update(
        {
            MARK: mark,
            "SKILLPULSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'stop.db'}",
            "SKILLPULSE_ENV": "development",  # the NLP pool starts with the server, as in a deployment
            "SKILLPULSE_SECRET_KEY": "stop-test-secret-key-0123456789abcdef0123",
            "SKILLPULSE_RUN_SCHEDULER": "false",
            "SKILLPULSE_LOG_LEVEL": "WARNING",
            "PYTHONFAULTHANDLER": "1",  # SIGABRT of a serve that does not stop prints where each thread is
        }
    )
    return subprocess.Popen(  # noqa: S603 - our interpreter, our app
        [
            sys.executable,
            "-m",
            "service",
            *(command or ("serve", "--host", "127.0.0.1", "--port", str(port))),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("serve did not become healthy")


def _wait_for_worker(mark: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until serve has started its NLP worker (the marked processes: serve, the tracker, the worker)."""
    deadline = time.monotonic() + timeout
    while len(_marked(mark)) < 3 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        time.sleep(0.1)
    assert len(_marked(mark)) >= 3, _marked(mark)


def _cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_nlp_idle(mark: str, proc: subprocess.Popen, quiet: float = 1.0, timeout: float = 120) -> None:
    """Until serve's NLP process has loaded the model and waits: it spends no CPU for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    [pid] = [pid for pid, command in _marked(mark) if "spawn_main" in command]
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        before = _cpu_seconds(pid)
        time.sleep(quiet)
        if _cpu_seconds(pid) == before:
            return
    raise AssertionError("serve's NLP process never went idle")


@pytest.mark.parametrize("moment", ["2s", "10s", "loading", "idle"])
def test_sigterm_of_serve_leaves_no_process_behind(tmp_path, moment):
    mark = uuid.uuid4().hex
    port = _port()
    proc = _serve(tmp_path, port, mark)
    try:
        if moment == "loading":  # the worker is spawned and loading the model
            _wait_for_worker(mark, proc)
        elif moment == "idle":  # up, the model loaded, nothing to do
            _wait_healthy(port, proc)
            _wait_for_worker(mark, proc)
            _wait_nlp_idle(mark, proc)
        else:
            time.sleep(float(moment.rstrip("s")))
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            stacks = proc.communicate()[1][-8000:]
            raise AssertionError(f"serve did not stop within 60 s of SIGTERM:\n{stacks}") from None
        deadline = time.monotonic() + 15  # a worker told to go gets a moment to exit
        while _marked(mark) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _marked(mark) == []
    finally:
        for pid, _ in _marked(mark):  # never leave an 800 MB orphan behind, whatever the outcome
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_stopping_worker_while_its_nlp_process_loads_leaves_no_process_behind(tmp_path, sig):
    """SIGKILL gives the worker no chance to clean up: its NLP process goes with it all the same."""
    from service.db import upgrade

    upgrade(f"sqlite+aiosqlite:///{tmp_path / 'stop.db'}")
    mark = uuid.uuid4().hex
    proc = _serve(tmp_path, 0, mark, command=("worker",))
    try:
        _wait_for_worker(mark, proc)
        proc.send_signal(sig)
        proc.communicate(timeout=60)
        deadline = time.monotonic() + 15
        while _marked(mark) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _marked(mark) == []
    finally:
        for pid, _ in _marked(mark):
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
