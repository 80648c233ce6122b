"""compose.yaml cannot run here (no Docker engine); check that it names only settings the app reads."""

from __future__ import annotations

from pathlib import Path

import yaml

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _known_env_names() -> set[str]:
    names = set()
    for group_name, field in Settings.model_fields.items():
        group = field.annotation
        prefix = group.model_config.get("env_prefix", "")
        names.update(f"{prefix}{name}".upper() for name in group.model_fields)
        assert prefix.startswith("SKILLPULSE_"), group_name
    return names


def test_compose_env_names_match_settings():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    known = _known_env_names()
    for name, service in compose["services"].items():
        for key in service.get("environment", {}):
            if key.startswith("SKILLPULSE_"):
                assert key in known, f"compose service {name} sets {key}, which no setting reads"
    assert compose["services"]["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in compose["services"]["db"]
    assert "pgdata" in compose["volumes"]


def test_compose_uses_postgres_driver():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    for name in ("app", "worker"):
        assert compose["services"][name]["environment"]["SKILLPULSE_DATABASE_URL"].startswith(
            "postgresql+asyncpg://"
        )


def test_dockerfile_copies_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("service", "surveys", "nlp", "migrations"):
        assert f"COPY {package} ./{package}" in dockerfile
