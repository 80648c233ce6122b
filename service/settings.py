"""Settings from the environment, grouped by concern, loaded once per process.

Every field reads ``SKILLPULSE_<GROUP>_<FIELD>`` (or ``SKILLPULSE_<FIELD>`` for the server group).
A bad value stops start-up with one line naming the variable (see ``load_settings``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from surveys.settings import SmtpSettings, SurveySettings

DEFAULT_SECRET = "change-me-skillpulse-dev-secret"  # noqa: S105 - refused in production mode
MIN_PRODUCTION_SECRET_BYTES = 32  # `openssl rand -hex 32` gives 64 characters


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
        DEFAULT_SECRET,
        min_length=16,
        description="Signs session cookies and CSRF tokens. Set it in production.",
    )
    max_body_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest request body accepted; larger answers 413."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Root log level.")
    log_format: Literal["text", "json"] = Field(
        "text", description="text: readable lines; json: one JSON object per line, for log shippers."
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public URL of this service, used in survey links and emails."
    )
    run_worker: bool = Field(True, description="serve runs an in-process extraction worker.")
    run_scheduler: bool = Field(True, description="serve runs the scheduler (imports, drift, mail).")
    nlp_processes: int = Field(1, ge=1, le=64, description="Worker processes for CPU-bound NLP work.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        [],
        description="Comma-separated addresses or CIDR networks of the reverse proxies in front of this "
        "service. The client address is the right-most X-Forwarded-For hop that is not one of them; empty: "
        "X-Forwarded-For is ignored and the peer address is the client.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR network") from None
        return value


class AuthSettings(_Group):
    """Password sign-in throttling (service/auth/throttle.py). Counted in the database, so every replica
    sees the same failures."""

    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_AUTH_", extra="ignore")

    account_max_failures: int = Field(
        5,
        ge=1,
        le=1000,
        description="Failed sign-ins to one e-mail address (known or not) before it is blocked.",
    )
    address_max_failures: int = Field(
        20, ge=1, le=100000, description="Failed sign-ins from one client address before it is blocked."
    )
    failure_window_seconds: float = Field(
        900.0, gt=0, le=86400, description="Failures this far apart or less count towards one streak."
    )
    block_seconds: float = Field(
        60.0, gt=0, le=86400, description="First block; doubles with each further failure of the streak."
    )
    max_block_seconds: float = Field(3600.0, gt=0, le=7 * 86400, description="Longest block.")


class DriftSettings(_Group):
    """Demand, coverage, drift detection, alerts and webhooks (service/demand); shares are proportions."""

    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_DRIFT_", extra="ignore")

    current_days: int = Field(90, ge=7, le=730, description="Current window: days up to as_of.")
    baseline_days: int = Field(
        365, ge=7, le=3650, description="Baseline window: days before the current one."
    )
    q_level: float = Field(0.05, gt=0, lt=1, description="Benjamini-Hochberg FDR level per credential.")
    min_abs_change: float = Field(0.05, ge=0, le=1, description="Smallest change in share that alerts.")
    min_postings: int = Field(30, ge=1, description="Distinct postings per window, else 'insufficient data'.")
    exact_test_below: float = Field(5.0, ge=0, description="Fisher's exact test below this expected count.")
    demand_floor: float = Field(0.05, ge=0, le=1, description="Share from which a concept is demanded.")
    coverage_drop_points: float = Field(0.10, gt=0, le=1, description="Coverage fall that alerts.")
    fuzzy_threshold: float = Field(
        90.0,
        ge=0,
        le=100,
        description="rapidfuzz token_set_ratio (concept label vs competency text) that covers.",
    )
    severity_medium: float = Field(0.5, ge=0, description="Cohen's h from which an alert is medium.")
    severity_high: float = Field(0.8, ge=0, description="Cohen's h from which an alert is high.")
    reopen_margin: float = Field(0.05, ge=0, le=1, description="Effect growth that reopens a closed alert.")
    max_snippets: int = Field(5, ge=0, le=20, description="Posting snippets kept as an alert's evidence.")
    snooze_wake_seconds: int = Field(
        60, ge=1, le=86400, description="How often snoozes whose date has come are ended (a scheduled job)."
    )
    max_snooze_days: int = Field(365, ge=1, le=3650, description="Longest snooze, in days from now.")
    match_region: bool = Field(
        True, description="Count only postings in a credential's service region, when it has one."
    )
    nightly_cron: str = Field("30 2 * * *", description="When the nightly drift run fires (cron, UTC).")
    survey_min_respondents: int = Field(5, ge=1, description="Submitted responses a survey_gap needs.")
    survey_low_values: list[str] = Field(["not_needed"], description="Importance answers that count as low.")
    survey_low_rating: int = Field(2, ge=1, description="A numeric rating at or below this is low.")
    survey_low_share: float = Field(0.5, gt=0, le=1, description="Share of low ratings that alerts.")
    survey_missing_share: float = Field(
        0.3, gt=0, le=1, description="Share naming an uncovered concept that alerts."
    )
    webhook_poll_seconds: int = Field(15, ge=1, description="How often due webhook deliveries are sent.")
    webhook_max_attempts: int = Field(8, ge=1, le=50, description="Attempts before a delivery fails.")
    webhook_backoff_seconds: float = Field(30.0, ge=0, description="First retry delay; doubles (max 6 h).")
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one webhook POST.")
    webhook_allow_private_addresses: bool | None = Field(
        None,
        description="Let webhooks reach loopback, private, link-local and other non-public addresses (an "
        "internal receiver). Unset: allowed in development and test, refused in production (SSRF guard).",
    )
    interrupted_run_minutes: int = Field(
        60,
        ge=1,
        description="A drift run still 'running' after this long is closed as 'interrupted' (its process died). "
        "On PostgreSQL a run whose organisation lock nobody holds is closed after 2 minutes already.",
    )


class PostingsSettings(_Group):
    """Posting imports (fetching feeds like a good citizen) and the extraction worker (service/postings)."""

    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_POSTINGS_", extra="ignore")

    connect_timeout: float = Field(10.0, gt=0, description="Seconds to connect to a feed.")
    read_timeout: float = Field(30.0, gt=0, description="Seconds to wait for a feed's bytes.")
    fetch_deadline: float = Field(
        300.0, gt=0, description="Longest one feed response may take in all (a server trickling bytes fails)."
    )
    retries: int = Field(3, ge=0, le=10, description="Retries on timeouts, 429 and 5xx.")
    backoff_seconds: float = Field(1.0, ge=0, description="First retry delay; doubles, with jitter.")
    max_retry_after: float = Field(
        120.0, ge=0, description="Longest Retry-After honoured; longer fails the run."
    )
    max_response_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Largest feed response read.")
    max_pages: int = Field(50, ge=1, description="Pages followed per run for paginated feeds.")
    user_agent: str = Field(
        "skillpulse/0.1 (job-posting importer; +https://github.com/skillpulse)",
        description="User-Agent sent to feeds; say who you are.",
    )
    allow_private_addresses: bool | None = Field(
        None,
        description="Let import sources reach loopback, private, link-local and other non-public addresses "
        "(an intranet ATS). Unset: allowed in development and test, refused in production (SSRF guard).",
    )
    worker_batch_size: int = Field(64, ge=1, le=5000, description="Postings claimed per extraction batch.")
    worker_poll_seconds: float = Field(5.0, gt=0, description="Idle worker's wait between queue checks.")


class EncryptionSettings(_Group):
    """Encryption at rest of webhook secrets, source credentials and queued survey links (service/crypto)."""

    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_", extra="ignore")

    secret_keys: str = Field(
        "",
        description="Fernet keys, comma-separated, newest first: the first encrypts, all decrypt (rotation: "
        "put a new key first, run `skillpulse secrets rotate`, then drop the old one). Required in "
        "production; unset elsewhere, a key is derived from SKILLPULSE_SECRET_KEY.",
    )

    @field_validator("secret_keys")
    @classmethod
    def _fernet_keys(cls, value: str) -> str:
        from service.crypto import parse_keys

        parse_keys(value)
        return value


class CredentialsSettings(_Group):
    """Credential imports over HTTP (service/credentials): limits per import, refused beyond them; the
    base of the @ids the CTDL / CASE exports publish; the Credential Registry imported from."""

    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_CREDENTIALS_", extra="ignore")

    max_import_bytes: int = Field(
        5 * 1024 * 1024,
        ge=1024,
        description="Largest credential document POST /credentials/import reads (413).",
    )
    max_import_competencies: int = Field(
        5000, ge=1, description="Most competencies one import may hold, all its credentials together (400)."
    )
    background_import_competencies: int = Field(
        500,
        ge=0,
        description="An import with more competencies than this answers 202 and runs in the background "
        "(so does any import sent with `Prefer: respond-async`).",
    )
    ctdl_base_url: str = Field(
        "https://credentialengineregistry.org/resources/",
        description="Prefix of every @id in CTDL exports (and of CASE uris): credential, framework and "
        "competency CTIDs are appended. The default is where a CTID resolves once published to the "
        "Credential Registry; set your own (https://…/) to publish elsewhere.",
    )

    registry_url: str = Field(
        "https://credentialengineregistry.org",
        description='The Credential Registry that `POST /credentials/import {"ctid"}` and '
        "`credentials import --ctid` read: a CTID's graph is {registry_url}/graph/{ctid}, and references to "
        "{registry_url}/resources/{ctid} are fetched as graphs too (the sandbox: "
        "https://sandbox.credentialengineregistry.org). Fetched with the import sources' timeouts, retries "
        "and address guard (SKILLPULSE_POSTINGS_*).",
    )

    @field_validator("ctdl_base_url")
    @classmethod
    def _absolute_base(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
            raise ValueError("must be an absolute http(s) URL without query or fragment")
        return value if value.endswith("/") else value + "/"

    @field_validator("registry_url")
    @classmethod
    def _registry_base(cls, value: str) -> str:
        return cls._absolute_base(value).rstrip("/")


class NotificationSettings(_Group):
    """Alert digests by email (service/notifications)."""

    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_NOTIFICATIONS_", extra="ignore")

    digest_cron: str = Field(
        "0 7 * * *",
        description="When the digest job runs (cron, UTC): each run sends the daily digests of the day "
        "before and the weekly digests of the last full week (Monday to Sunday) not sent yet.",
    )


class Settings(BaseSettings):
    """All settings; build with ``load_settings()`` (or directly in tests)."""

    model_config = SettingsConfigDict(extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    surveys: SurveySettings = Field(default_factory=SurveySettings)
    drift: DriftSettings = Field(default_factory=DriftSettings)
    postings: PostingsSettings = Field(default_factory=PostingsSettings)
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    credentials: CredentialsSettings = Field(default_factory=CredentialsSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.server.env == "production" and self.server.secret_key == DEFAULT_SECRET:
            raise ValueError("SKILLPULSE_SECRET_KEY must be set to a private value in production")
        if (
            self.server.env == "production"
            and len(self.server.secret_key.encode()) < MIN_PRODUCTION_SECRET_BYTES
        ):
            raise ValueError(
                f"SKILLPULSE_SECRET_KEY must be at least {MIN_PRODUCTION_SECRET_BYTES} bytes in production "
                "(make one with: openssl rand -hex 32)"
            )
        if self.server.env == "production" and not self.encryption.secret_keys.strip():
            raise ValueError(
                "SKILLPULSE_SECRET_KEYS must be set in production (encrypts secrets at rest; make a key with "
                "`skillpulse secrets generate-key`)"
            )
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
    groups = {
        "database": (DatabaseSettings, "SKILLPULSE_DATABASE_"),
        "server": (ServerSettings, "SKILLPULSE_"),
        "smtp": (SmtpSettings, "SKILLPULSE_SMTP_"),
        "surveys": (SurveySettings, "SKILLPULSE_SURVEYS_"),
        "drift": (DriftSettings, "SKILLPULSE_DRIFT_"),
        "postings": (PostingsSettings, "SKILLPULSE_POSTINGS_"),
        "encryption": (EncryptionSettings, "SKILLPULSE_"),
        "auth": (AuthSettings, "SKILLPULSE_AUTH_"),
        "credentials": (CredentialsSettings, "SKILLPULSE_CREDENTIALS_"),
        "notifications": (NotificationSettings, "SKILLPULSE_NOTIFICATIONS_"),
    }
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
