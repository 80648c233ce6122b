"""Tables for credentials, competencies, custom skill concepts and competency-skill links."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow


class Credential(SQLModel, table=True):
    """A certificate, degree, certification or badge an organisation runs."""

    __tablename__ = "credential"
    __table_args__ = (
        UniqueConstraint("org_id", "ce_ctid", name="uq_credential_org_ctid"),
        Index("ix_credential_org_name", "org_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    # "ctid" is a PostgreSQL system column, so the column is named ce_ctid.
    ctid: str | None = Field(
        default=None,
        max_length=100,
        sa_column_kwargs={"name": "ce_ctid"},
        description="Credential Engine CTID.",
    )
    name: str = Field(max_length=500)
    description: str = Field(default="")
    url: str | None = Field(default=None, max_length=2000)
    type: str = Field(default="Certificate", max_length=100, description="CTDL class without prefix.")
    occupations: list[str] = Field(default_factory=list, sa_type=JsonB, description="O*NET-SOC / SOC codes.")
    region: str | None = Field(default=None, max_length=200)
    region_codes: list[str] = Field(
        default_factory=list,
        sa_type=JsonB,
        sa_column_kwargs={"server_default": "[]"},
        description="Service region as canonical US codes (state:OH, county:39035, cbsa:17410); [] is none.",
    )
    recognition_aliases: list[str] = Field(
        default_factory=list,
        sa_type=JsonB,
        sa_column_kwargs={"server_default": "[]"},
        description="Names job postings give the credential, as a designer set them; [] is none set.",
    )
    language: str = Field(default="en", max_length=16)
    framework_ctid: str | None = Field(default=None, max_length=100)
    source_format: str = Field(default="json", max_length=16, description="json|ctdl|case|csv")
    parent_id: int | None = Field(default=None, foreign_key="credential.id", ondelete="SET NULL")
    extra: dict = Field(default_factory=dict, sa_type=JsonB, description="Source fields kept for export.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    deleted_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))


class Competency(SQLModel, table=True):
    """One competency of a credential (CTDL-ASN Competency, CASE CFItem or a CSV row)."""

    __tablename__ = "competency"
    __table_args__ = (
        Index("ix_competency_credential", "credential_id", "position"),
        Index("ix_competency_ext", "credential_id", "ext_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    credential_id: int = Field(foreign_key="credential.id", ondelete="CASCADE")
    ext_id: str | None = Field(default=None, max_length=300, description="CTID, CASE identifier or CSV key.")
    text: str
    label: str | None = Field(default=None, max_length=500)
    category: str | None = Field(default=None, max_length=300)
    coded_notation: str | None = Field(default=None, max_length=100)
    level: int | None = Field(default=None, ge=1, le=8, description="Connecting Credentials Framework level.")
    domain: str | None = Field(
        default=None, max_length=32, description="knowledge|specialized|personal|social"
    )
    position: int = Field(default=0)
    parent_id: int | None = Field(default=None, foreign_key="competency.id", ondelete="SET NULL")
    text_hash: str = Field(default="", max_length=64, description="Changes when the text changes.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    deleted_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))


class SkillConcept(SQLModel, table=True):
    """An organisation's own skill concept, beside the packaged ESCO / O*NET catalogue."""

    __tablename__ = "skill_concept"
    __table_args__ = (UniqueConstraint("org_id", "uri", name="uq_skill_concept_org_uri"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    uri: str = Field(max_length=500)
    label: str = Field(max_length=500)
    alt_labels: list[str] = Field(default_factory=list, sa_type=JsonB)
    kind: str = Field(default="skill", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class CompetencySkill(SQLModel, table=True):
    """A proposed or reviewed link from a competency to a skill concept (by URI)."""

    __tablename__ = "competency_skill"
    __table_args__ = (
        UniqueConstraint("competency_id", "concept_id", name="uq_competency_skill"),
        Index("ix_competency_skill_org_concept", "org_id", "concept_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    competency_id: int = Field(foreign_key="competency.id", ondelete="CASCADE")
    concept_id: str = Field(max_length=500, description="Concept URI (ESCO, O*NET or custom).")
    concept_label: str = Field(default="", max_length=500)
    score: float = Field(default=0.0)
    method: str = Field(default="concept", max_length=16, description="concept|fuzzy|manual")
    status: str = Field(default="suggested", max_length=16, description="suggested|confirmed|rejected")
    reviewed_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    reviewed_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    extractor_version: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class CredentialImport(SQLModel, table=True):
    """A large credential import run in the background (POST /credentials/import answered 202 for it)."""

    __tablename__ = "credential_import"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    status: str = Field(default="queued", max_length=16, description="queued|running|succeeded|failed")
    format: str = Field(default="", max_length=32)
    credentials: int = Field(default=0, description="Credentials in the document.")
    competencies: int = Field(default=0, description="Competencies in the document.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    started_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    result: dict = Field(default_factory=dict, sa_type=JsonB, description="The report, once succeeded.")
    error: str | None = Field(default=None)
