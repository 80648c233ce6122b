"""The generic scheduler's table (service/scheduler.py): one row per claimed firing of a scheduled job."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow


class JobClaim(SQLModel, table=True):
    """A scheduled job's firing claimed by one replica: (job, slot) is unique, so it runs once."""

    __tablename__ = "job_claim"
    __table_args__ = (Index("uq_job_claim", "job", "slot", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=200)
    slot: str = Field(max_length=64)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
