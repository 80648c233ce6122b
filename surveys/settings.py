"""Settings of the survey domain: the SMTP server that sends invitations, and the form's limits and schedules.

Read from ``SKILLPULSE_SMTP_*`` and ``SKILLPULSE_SURVEYS_*``; service/settings.py holds them as the ``smtp`` and
``surveys`` groups.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_SMTP_", extra="ignore", env_file=None)

    host: str = Field("127.0.0.1", description="SMTP server host.")
    port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    username: str | None = Field(None, description="Login user, if the server asks for one.")
    password: str | None = Field(None, description="Login password.")
    starttls: bool = Field(False, description="Upgrade the connection with STARTTLS before sending.")
    use_tls: bool = Field(False, description="Connect with implicit TLS (port 465 style).")
    timeout_seconds: float = Field(10.0, gt=0, le=300, description="Connect and command timeout.")
    from_address: str = Field(
        "skillpulse@localhost", description="Envelope and header sender of survey mail."
    )
    max_attempts: int = Field(8, ge=1, le=100, description="Tries before a mail is marked failed.")
    retry_base_seconds: float = Field(
        30.0, ge=0, le=86400, description="First retry delay; doubles on each failed try (capped at 6 hours)."
    )
    batch_size: int = Field(50, ge=1, le=1000, description="Mails sent per outbox run.")
    send_interval_seconds: int = Field(30, ge=1, le=3600, description="How often the outbox is flushed.")


class SurveySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLPULSE_SURVEYS_", extra="ignore", env_file=None)

    rate_per_token: int = Field(
        60, ge=1, description="Form requests one personal link may make per rate window; more answer 429."
    )
    rate_per_address: int = Field(
        300, ge=1, description="Form requests one client address may make per rate window; more answer 429."
    )
    rate_window_seconds: int = Field(60, ge=1, le=3600, description="Length of the rate-limit window.")
    resubmit_grace_seconds: int = Field(
        900,
        ge=0,
        description="A repeated final submit within this time of the first gets the thank-you page again "
        "(double click, retried request); later, a used link gets the same page as an unknown one.",
    )
    reminder_cron: str = Field("0 * * * *", description="When reminders are considered (cron, UTC).")
    extraction_interval_seconds: int = Field(
        30, ge=1, le=86400, description="How often submitted open answers are read for skills."
    )
    extraction_max_attempts: int = Field(
        5,
        ge=1,
        le=100,
        description="Runs of the reader a response's open answers may fail (one attempt per run) before the "
        "response is marked failed with its error, shown in the survey's results.",
    )
