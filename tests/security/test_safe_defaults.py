"""Safe by default: `serve` will not expose the published development secret, production refuses short
secrets and the demo login, and the shipped container runs in production mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from service.cli import serve_refusal
from service.settings import DEFAULT_SECRET, build_settings

ROOT = Path(__file__).resolve().parents[2]
STRONG = "9f" * 32  # 64 characters, like `openssl rand -hex 32`
FERNET = "x4Y9nZ0cJ3o0gkq0i1r0Tq0b5m6F0bqQ9eYc3mQ2h1E="  # a Fernet key (32 bytes, url-safe base64)


def _serve(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPULSE_")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "service", "serve", *args],
        env={**clean, "SKILLPULSE_DATABASE_URL": "sqlite+aiosqlite:////nonexistent/never-created.db", **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def _error(result: subprocess.CompletedProcess) -> str:
    return " ".join((result.stdout + result.stderr).split())


def test_serve_refuses_a_public_bind_with_the_default_secret():
    result = _serve(["--host", "0.0.0.0", "--port", "1"])  # noqa: S104
    assert result.returncode != 0
    assert "refusing to serve on 0.0.0.0" in _error(result) and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        (
            {
                "SKILLPULSE_ENV": "production",
                "SKILLPULSE_SECRET_KEY": STRONG,
                "SKILLPULSE_SECRET_KEYS": FERNET,
            },
            ["--demo"],
            "refused in production",
        ),
        (
            {"SKILLPULSE_ENV": "production", "SKILLPULSE_SECRET_KEY": "sixteen-chars-or-more"},
            [],
            "at least 32 bytes",
        ),
        ({"SKILLPULSE_ENV": "production"}, [], "must be set to a private value"),
    ],
)
def test_production_refuses_the_demo_and_weak_secrets_with_one_line(env, args, expected):
    result = _serve([*args, "--port", "1"], **env)
    assert result.returncode != 0
    assert expected in _error(result) and "Traceback" not in result.stderr


def test_what_serve_allows():
    dev = build_settings(server={"env": "development"})
    assert dev.server.secret_key == DEFAULT_SECRET
    assert serve_refusal(dev, "127.0.0.1", demo=True) is None  # a newcomer's laptop
    assert serve_refusal(dev, "localhost", demo=False) is None
    assert serve_refusal(dev, "::1", demo=False) is None
    for host in ("0.0.0.0", "::", "192.168.1.5", "skillpulse.internal"):  # noqa: S104
        assert serve_refusal(dev, host, demo=False), host
    explicit = build_settings(server={"env": "development", "secret_key": "a-private-development-secret"})
    assert serve_refusal(explicit, "0.0.0.0", demo=False) is None  # noqa: S104
    prod = build_settings(
        server={"env": "production", "secret_key": STRONG}, encryption={"secret_keys": FERNET}
    )
    assert serve_refusal(prod, "0.0.0.0", demo=False) is None  # noqa: S104
    assert serve_refusal(prod, "127.0.0.1", demo=True)


def test_the_container_and_compose_run_production_mode():
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_lines = [line for line in dockerfile.splitlines() if line.startswith("ENV ")]
    assert any("SKILLPULSE_ENV=production" in line for line in env_lines), env_lines
    assert "SKILLPULSE_SECRET_KEY" in dockerfile  # the comment says what it needs
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    for name in ("app", "worker"):
        environment = compose["services"][name]["environment"]
        assert environment["SKILLPULSE_ENV"] == "production"
        assert ":?" in environment["SKILLPULSE_SECRET_KEY"]  # compose stops when it is not given
        assert ":?" in environment["SKILLPULSE_SECRET_KEYS"]
