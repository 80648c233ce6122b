"""Settings from the environment, grouped by concern, loaded once per process.

Every field reads ``SKILLPULSE_<GROUP>_<FIELD>`` (or ``SKILLPULSE_<FIELD>`` for the server group).
A bad value stops start-up with one line naming the variable (see ``load_settings``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from surveys.settings import SmtpSettings, SurveySettings

DEFAULT_SECRET = "change-me-skillpulse-dev-secret"  # noqa: S105 - refused in production mode


class _Group(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_file=None)


class DatabaseSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_DATABASE_", extra="ignore")

    url: str = Field(
        "sqlite+aiosqlite:///./skillpulse.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///PATH (embedded default) or "
        "postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB (production).",
    )
    pool_size: int = Field(10, ge=1, le=200, description="Connections kept per process (PostgreSQL).")
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class ServerSettings(_Group):
    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_", extra="ignore")

    env: Literal["development", "production", "test"] = Field(
        "development", description="production refuses the default secret key."
    )
    secret_key: str = Field(
        DEFAULT_SECRET, min_length=16, description="Signs session cookies and CSRF tokens. Set it in production."
    )
    max_body_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest request body accepted; larger answers 413."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Root log level.")
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public URL of this service, used in survey links and emails."
    )
    run_worker: bool = Field(True, description="serve runs an in-process extraction worker.")
    run_scheduler: bool = Field(True, description="serve runs the scheduler (imports, drift, mail).")
    nlp_processes: int = Field(1, ge=1, le=64, description="Worker processes for CPU-bound NLP work.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class Settings(BaseSettings):
    """All settings; build with ``load_settings()`` (or directly in tests)."""

    model_config = SettingsConfigDict(extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    surveys: SurveySettings = Field(default_factory=SurveySettings)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.server.env == "production" and self.server.secret_key == DEFAULT_SECRET:
            raise ValueError("SKILLPULSE_SECRET_KEY must be set to a private value in production")
        return self


class SettingsError(RuntimeError):
    """Raised with one readable line when the environment holds a bad value."""


def _describe(error: ValidationError, prefix: str) -> str:
    first = error.errors()[0]
    field = "_".join(str(p) for p in first["loc"] if p != "__root__")
    name = f"{prefix}{field}".upper() if field else "settings"
    return f"invalid setting {name}: {first['msg']}"


def build_settings(**overrides: object) -> Settings:
    """Build settings from the environment, raising SettingsError with one line on a bad value."""
    groups = {"database": (DatabaseSettings, "SKILLPULSE_DATABASE_"), "server": (ServerSettings, "SKILLPULSE_"),
              "smtp": (SmtpSettings, "SKILLPULSE_SMTP_"), "surveys": (SurveySettings, "SKILLPULSE_SURVEYS_")}
    built: dict[str, object] = {}
    for name, (cls, prefix) in groups.items():
        try:
            built[name] = cls(**overrides.get(name, {}))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise SettingsError(_describe(exc, prefix)) from None
    try:
        return Settings(**built)
    except ValidationError as exc:
        raise SettingsError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    """The process-wide settings, read once."""
    return build_settings()
