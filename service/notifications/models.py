"""Tables: a user's digest preference, and one row per digest built (its key: once per period)."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow

DIGEST_CHOICES = ("none", "daily", "weekly")
DEFAULT_DIGEST = "weekly"


class NotificationPreference(SQLModel, table=True):
    """How often a user hears about alerts, and about which credentials. No row: the defaults (a weekly
    digest about every credential of the organisation)."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    digest: str = Field(default=DEFAULT_DIGEST, max_length=16, description="none|daily|weekly")
    credential_ids: list[int] | None = Field(
        default=None,
        sa_type=JsonB,
        description="The credentials followed; null: every credential of the organisation, new ones too.",
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class AlertDigest(SQLModel, table=True):
    """A digest built for a user and a period. Inserted before its mail is queued, in the same transaction,
    under a unique key: a second firing or a second replica finds the row and sends nothing."""

    __tablename__ = "alert_digest"
    __table_args__ = (UniqueConstraint("user_id", "period", "period_start", name="uq_alert_digest_period"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    period: str = Field(max_length=16, description="daily|weekly")
    period_start: datetime = Field(sa_type=DateTimeUTC(timezone=True))
    period_end: datetime = Field(sa_type=DateTimeUTC(timezone=True))
    alerts: int = Field(default=0, description="Alerts the digest tells about.")
    outbox_email_id: int | None = Field(default=None, foreign_key="outbox_email.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
