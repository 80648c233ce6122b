"""Request and response types of the credentials API. Tables are never bodies: review status, method and
organisation are set by the service, not by a field a client adds."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, computed_field, field_validator

from kernel.schemas import Input, Output
from service.credentials.formats.vocab import (
    FRAMEWORK_TYPE,
    is_credential_class,
    is_web_url,
    normalise_occupation,
)
from service.credentials.recognition_aliases import clean_aliases, propose_aliases
from service.geo import RegionCodeError, parse_region_codes

Domain = Literal["knowledge", "specialized", "personal", "social"]
LinkStatus = Literal["suggested", "confirmed", "rejected"]


class CompetencyInput(Input):
    text: str = Field(min_length=1, max_length=5000)
    label: str | None = Field(None, max_length=500)
    category: str | None = Field(None, max_length=300)
    level: int | None = Field(None, ge=1, le=8, description="Connecting Credentials Framework level 1–8.")
    domain: Domain | None = Field(None, description="Connecting Credentials Framework domain.")
    coded_notation: str | None = Field(None, max_length=100)
    ext_id: str | None = Field(
        None, max_length=300, description="The competency's CTID or identifier at its source."
    )


class CompetencyEdit(CompetencyInput):
    id: int | None = Field(
        None, description="A stored competency to change in place (keeps its reviewed links)."
    )


def _check_type(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.removeprefix("ceterms:")
    if not (is_credential_class(value) or value == FRAMEWORK_TYPE):
        raise ValueError(f"{value!r} is not a CTDL credential type (e.g. Certificate, Certification, Badge)")
    return value


def _check_url(value: str | None) -> str | None:
    if value is not None and not is_web_url(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _check_occupations(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    out: list[str] = []
    for value in values:
        code = normalise_occupation(value)
        if code is None:
            raise ValueError(f"{value!r} is not an O*NET-SOC or SOC code (like 15-1232.00)")
        if code not in out:
            out.append(code)
    return out


def _check_region_codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    try:
        return list(parse_region_codes(values))
    except RegionCodeError as exc:
        raise ValueError(str(exc)) from None


REGION_CODES_HELP = (
    "The service region as US codes: state:OH (or OH, US-OH, 39), county:39035 (or 39035), cbsa:17410 "
    "(OMB 2023). Answered canonical and sorted; when left out, taken from `region` in words."
)


ALIASES_HELP = (
    'Names job postings give the credential or the certification it prepares for ("CDL-A", "Class A '
    'CDL"), looked for by GET /credentials/{id}/recognition; when none are set, the proposals from the name '
    "and type are used."
)


class _CredentialFields(Input):
    """The checks a credential's type, occupations and web page pass, on create and on update."""

    @field_validator("type", check_fields=False)
    @classmethod
    def _valid_type(cls, value: str | None) -> str | None:
        return _check_type(value)

    @field_validator("occupations", check_fields=False)
    @classmethod
    def _valid_occupations(cls, value: list[str] | None) -> list[str] | None:
        return _check_occupations(value)

    @field_validator("region_codes", check_fields=False)
    @classmethod
    def _valid_region_codes(cls, value: list[str] | None) -> list[str] | None:
        return _check_region_codes(value)

    @field_validator("recognition_aliases", check_fields=False)
    @classmethod
    def _valid_aliases(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else clean_aliases(value)

    @field_validator("url", check_fields=False)
    @classmethod
    def _valid_url(cls, value: str | None) -> str | None:
        return _check_url(value)


class CredentialCreate(_CredentialFields):
    name: str = Field(min_length=1, max_length=500)
    description: str = Field("", max_length=20_000)
    url: str | None = Field(None, max_length=2000)
    type: str = Field("Certificate", max_length=100, description="CTDL class without prefix.")
    occupations: list[str] = Field(
        default_factory=list, max_length=200, description="O*NET-SOC or SOC codes."
    )
    region: str | None = Field(None, max_length=200)
    region_codes: list[str] | None = Field(None, max_length=500, description=REGION_CODES_HELP)
    recognition_aliases: list[str] | None = Field(None, max_length=50, description=ALIASES_HELP)
    language: str = Field("en", min_length=2, max_length=16)
    ctid: str | None = Field(None, pattern=r"^ce-[0-9a-fA-F-]{36}$")
    competencies: list[CompetencyInput] = Field(default_factory=list, max_length=5000)


class CredentialUpdate(_CredentialFields):
    name: str | None = Field(None, min_length=1, max_length=500)
    description: str | None = Field(None, max_length=20_000)
    url: str | None = Field(None, max_length=2000)
    type: str | None = Field(None, max_length=100)
    occupations: list[str] | None = Field(None, max_length=200)
    region: str | None = Field(None, max_length=200)
    region_codes: list[str] | None = Field(None, max_length=500, description=REGION_CODES_HELP)
    recognition_aliases: list[str] | None = Field(
        None, max_length=50, description=ALIASES_HELP + " null or [] clears them."
    )
    language: str | None = Field(None, min_length=2, max_length=16)
    competencies: list[CompetencyEdit] | None = Field(
        None,
        max_length=5000,
        description="The full list: missing competencies are removed (kept in history).",
    )


class CompetencyUpdate(Input):
    text: str | None = Field(None, min_length=1, max_length=5000)
    label: str | None = Field(None, max_length=500)
    category: str | None = Field(None, max_length=300)
    level: int | None = Field(None, ge=1, le=8)
    domain: Domain | None = None
    coded_notation: str | None = Field(None, max_length=100)


class LinkReview(Input):
    status: Literal["confirmed", "rejected"]


class LinkCreate(Input):
    competency_id: int
    concept_id: str = Field(
        min_length=3, max_length=500, description="Concept URI (ESCO, O*NET) or a custom concept."
    )
    concept_label: str | None = Field(
        None, max_length=500, description="Needed only for a concept we do not know."
    )


class LinkRead(Output):
    id: int
    competency_id: int
    concept_id: str
    concept_label: str
    score: float
    method: str
    status: str
    reviewed_at: datetime | None
    extractor_version: str | None


class CompetencyRead(Output):
    id: int
    ext_id: str | None
    text: str
    label: str | None
    category: str | None
    coded_notation: str | None
    level: int | None
    domain: str | None
    position: int
    parent_id: int | None
    links: list[LinkRead] = Field(default_factory=list)


class CredentialSummary(Output):
    id: int
    ctid: str | None
    name: str
    type: str
    url: str | None
    occupations: list[str]
    region: str | None
    region_codes: list[str] = Field(default_factory=list, description="The service region as US codes.")
    source_format: str
    parent_id: int | None
    competency_count: int = 0
    created_at: datetime
    updated_at: datetime


class CredentialRead(CredentialSummary):
    description: str
    language: str
    framework_ctid: str | None
    recognition_aliases: list[str] = Field(
        default_factory=list, description="The aliases a designer set ([]: none set)."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def proposed_recognition_aliases(self) -> list[str]:
        """What the name and type propose; used while no alias is set."""
        return propose_aliases(self.name, self.type)

    competencies: list[CompetencyRead] = Field(default_factory=list)


class CredentialImportResult(Output):
    id: int
    name: str
    created: bool
    competencies_added: int
    competencies_updated: int
    competencies_unchanged: int
    competencies_removed: int
    links_suggested: int


class ImportReport(Output):
    format: str
    credentials: list[CredentialImportResult]


class CredentialImportRead(Output):
    """A background credential import: queued, running (with `progress` on the replica running it), then
    succeeded with its report or failed with the reason."""

    id: int
    status: str
    format: str
    credentials: int
    competencies: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report: ImportReport | None = None
    error: str | None
    progress: dict | None = None
