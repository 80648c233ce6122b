"""Tables for drift runs, alerts with their lifecycle events, webhooks and their deliveries, and the demand
rollups (service/demand/rollups.py) that drift reads instead of the raw mentions."""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow
from service.crypto import EncryptedText
from service.job_claims import JobClaim  # noqa: F401 - the scheduler's table, re-exported for old imports

OPEN_STATUSES = ("open", "acknowledged", "snoozed")
_OPEN_WHERE = text("status IN ('open', 'acknowledged', 'snoozed')")


class DriftRun(SQLModel, table=True):
    """One drift detection run for an organisation as of a date."""

    __tablename__ = "drift_run"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    as_of: date
    trigger: str = Field(default="manual", max_length=16)
    status: str = Field(default="running", max_length=16, description="running|succeeded|failed")
    started_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    summary: dict = Field(default_factory=dict, sa_type=JsonB, description="Per credential outcome.")
    error: str | None = Field(default=None)


class Alert(SQLModel, table=True):
    """A drift alert; its fingerprint keeps one open alert per credential, kind and subject."""

    __tablename__ = "alert"
    __table_args__ = (
        Index(
            "uq_alert_open_fingerprint",
            "org_id",
            "fingerprint",
            unique=True,
            postgresql_where=_OPEN_WHERE,
            sqlite_where=_OPEN_WHERE,
        ),
        Index("ix_alert_org_status", "org_id", "status", "credential_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    credential_id: int = Field(foreign_key="credential.id", ondelete="CASCADE")
    drift_run_id: int | None = Field(default=None, foreign_key="drift_run.id", ondelete="SET NULL")
    kind: str = Field(max_length=32, description="emerging_skill|fading_competency|coverage_drop|survey_gap")
    concept_id: str | None = Field(default=None, max_length=500)
    competency_id: int | None = Field(default=None, foreign_key="competency.id", ondelete="SET NULL")
    fingerprint: str = Field(max_length=64)
    status: str = Field(default="open", max_length=16)
    severity: str = Field(default="medium", max_length=16, description="low|medium|high")
    title: str = Field(max_length=1000)
    evidence: dict = Field(default_factory=dict, sa_type=JsonB)
    snooze_until: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    opened_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    resolved_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": text("1")},
        description="Bumped by every change of state; transitions compare and set it, so a second "
        "concurrent change is refused (409) instead of overwriting the first.",
    )


class AlertEvent(SQLModel, table=True):
    """A change in an alert's life: who, when, from which status to which, and a note."""

    __tablename__ = "alert_event"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    alert_id: int = Field(foreign_key="alert.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    event: str = Field(
        max_length=32, description="opened|updated|status|reopened|resolved (by a drift run)|note"
    )
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None)


class Webhook(SQLModel, table=True):
    """An endpoint that receives alert events, signed with HMAC-SHA256."""

    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=2000)
    secret: str = Field(sa_type=EncryptedText, description="HMAC key, encrypted at rest (service/crypto).")
    events: list[str] = Field(default_factory=list, sa_type=JsonB)
    enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class WebhookDelivery(SQLModel, table=True):
    """One event to deliver to a webhook; retried with backoff, every attempt logged here."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    webhook_id: int = Field(foreign_key="webhook.id", index=True, ondelete="CASCADE")
    event: str = Field(max_length=32)
    payload: dict = Field(default_factory=dict, sa_type=JsonB)
    status: str = Field(default="pending", max_length=16, description="pending|delivered|failed")
    attempts: int = Field(default=0)
    response_code: int | None = Field(default=None)
    error: str | None = Field(default=None)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    delivered_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))


class DemandPlace(SQLModel, table=True):
    """One distinct posting location (`posting.geo`, normalised) per organisation: the rollups' region key."""

    __tablename__ = "demand_place"
    __table_args__ = (UniqueConstraint("org_id", "key", name="uq_demand_place_key"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    key: str = Field(max_length=64, description="SHA-256 of the normalised geo (service/demand/rollups.py).")
    geo: dict | None = Field(default=None, sa_type=JsonB)


class DemandCanon(SQLModel, table=True):
    """The posting a content fingerprint is counted at: its organisation's earliest extracted one."""

    __tablename__ = "demand_canon"
    __table_args__ = (Index("ix_demand_canon_posting", "posting_id"),)

    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", primary_key=True)
    content_hash: str = Field(max_length=64, primary_key=True)
    posting_id: int = Field(sa_type=BigInteger)
    day: date
    occupation_code: str = Field(max_length=16)
    place_id: int


class DemandCode(SQLModel, table=True):
    """The occupation codes an organisation's rollups have counted (where a SOC code's children are found)."""

    __tablename__ = "demand_code"

    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", primary_key=True)
    occupation_code: str = Field(max_length=16, primary_key=True)


class DemandRollup(SQLModel, table=True):
    """Counted postings per (organisation, posted day, occupation, place, concept); concept '' is the total.

    Kept by service/demand/rollup_store.py in the transaction that writes the mentions; rebuilt from them by
    `skillpulse drift rebuild-rollups`.
    """

    __tablename__ = "demand_rollup"
    __table_args__ = (Index("ix_demand_rollup_occupation", "org_id", "occupation_code", "day"),)

    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(primary_key=True)
    occupation_code: str = Field(max_length=16, primary_key=True)
    place_id: int = Field(primary_key=True)
    concept_id: str = Field(max_length=500, primary_key=True)
    concept_label: str | None = Field(default=None, max_length=500)
    postings: int = Field(default=0)
    required: int = Field(default=0)
    preferred: int = Field(default=0)


class DemandConcept(SQLModel, table=True):
    """A concept's integer key in an organisation's month rollups and mention index, with its label (the
    greatest label counted for it; concept key 0 is the total and has no row)."""

    __tablename__ = "demand_concept"
    __table_args__ = (UniqueConstraint("org_id", "concept_id", name="uq_demand_concept_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    concept_id: str = Field(max_length=500)
    label: str | None = Field(default=None, max_length=500)


class DemandMonth(SQLModel, table=True):
    """demand_rollup summed by month (the first day of the posted month), on integer concept keys: what reads
    sum for the whole months of a window (service/demand/rollup_sums.py); concept 0 is the total."""

    __tablename__ = "demand_month"

    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", primary_key=True)
    month: date = Field(primary_key=True)
    occupation_code: str = Field(max_length=16, primary_key=True)
    place_id: int = Field(primary_key=True)
    concept: int = Field(primary_key=True)
    postings: int = Field(default=0)
    required: int = Field(default=0)
    preferred: int = Field(default=0)


class DemandMention(SQLModel, table=True):
    """The concepts of each counted (canonical) posting, keyed concept first: competency counts read the
    postings of a few concepts by index instead of every mention of the window."""

    __tablename__ = "demand_mention"
    __table_args__ = (Index("ix_demand_mention_posting", "posting_id"),)

    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", primary_key=True)
    concept: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    posting_id: int = Field(sa_type=BigInteger, primary_key=True)
    occupation_code: str = Field(max_length=16)
    place_id: int
