"""Tables for postings, their skill mentions, import sources and import runs."""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import BigIntIdentity, DateTimeUTC, JsonB
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow
from service.crypto import SecretFieldsJson


class Posting(SQLModel, table=True):
    """A job posting as clean text with occupation, region and date; unique per source + external id."""

    __tablename__ = "posting"
    __table_args__ = (
        UniqueConstraint("org_id", "source", "external_id", name="uq_posting_source_ext"),
        Index("ix_posting_org_hash", "org_id", "content_hash"),
        Index("ix_posting_org_posted", "org_id", "posted_at"),
        Index("ix_posting_org_occ_posted", "org_id", "occupation_code", "posted_at"),
        Index("ix_posting_extraction", "extraction_status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntIdentity)
    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    source: str = Field(max_length=200)
    external_id: str = Field(max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    title: str = Field(default="", max_length=1000)
    employer: str | None = Field(default=None, max_length=500)
    text: str = Field(default="")
    region: str | None = Field(default=None, max_length=200)
    geo: dict | None = Field(
        default=None,
        sa_type=JsonB,
        description="Location as US codes: state, county, cbsa, remote (service/geo).",
    )
    occupation_code: str | None = Field(default=None, max_length=16, description="O*NET-SOC code.")
    occupation_label: str | None = Field(default=None, max_length=300)
    occupation_source: str | None = Field(default=None, max_length=16, description="given|coded")
    posted_at: date | None = Field(default=None)
    content_hash: str = Field(max_length=64, description="SHA-256 of normalised text: one count per content.")
    extraction_status: str = Field(default="pending", max_length=16, description="pending|done|failed")
    extraction_version: str | None = Field(default=None, max_length=100)
    extraction_error: str | None = Field(default=None)
    extracted_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    import_source_id: int | None = Field(default=None, foreign_key="import_source.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class PostingSkill(SQLModel, table=True):
    """A skill mention found in a posting: its span, concept and requirement level."""

    __tablename__ = "posting_skill"
    __table_args__ = (
        Index("ix_posting_skill_posting", "posting_id"),
        Index("ix_posting_skill_org_concept", "org_id", "concept_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntIdentity)
    org_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    posting_id: int = Field(foreign_key="posting.id", ondelete="CASCADE", sa_type=BigIntIdentity)
    start: int
    end: int
    text: str = Field(max_length=1000)
    kind: str = Field(default="skill", max_length=16)
    concept_id: str | None = Field(default=None, max_length=500)
    concept_label: str | None = Field(default=None, max_length=500)
    score: float = Field(default=0.0)
    requirement: str | None = Field(default=None, max_length=16, description="required|preferred|null")


class ImportSource(SQLModel, table=True):
    """A feed or job board imported on a cron schedule."""

    __tablename__ = "import_source"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_import_source_org_name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16, description="greenhouse|lever|ashby|rss|jsonld|csv|usajobs")
    name: str = Field(max_length=200)
    url: str = Field(max_length=2000)
    board: str | None = Field(default=None, max_length=200)
    schedule: str = Field(default="0 3 * * *", max_length=100, description="cron expression")
    enabled: bool = Field(default=True)
    config: dict = Field(
        default_factory=dict,
        sa_type=SecretFieldsJson,
        description="Headers, API keys, defaults; credential fields encrypted at rest (service/crypto).",
    )
    region: str | None = Field(default=None, max_length=200)
    occupation: str | None = Field(default=None, max_length=16)
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    consecutive_failures: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class ImportRun(SQLModel, table=True):
    """One run of an import source, with its counts and the error in words."""

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_source", "source_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="import_source.id", ondelete="CASCADE")
    trigger: str = Field(default="manual", max_length=16, description="manual|schedule")
    status: str = Field(default="running", max_length=16, description="running|succeeded|failed")
    started_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    fetched: int = Field(default=0)
    new: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    failed: int = Field(default=0)
    error: str | None = Field(default=None)
