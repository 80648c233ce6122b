"""What every credential reader produces: plain records the import service merges into the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


class CredentialFormatError(ValueError):
    """The document cannot be imported; the message names the node (or row) and the field at fault."""


@dataclass(slots=True)
class ParsedAlignment:
    """A concept the source itself asserts for a competency (CTDL exact/major/broad alignment; CASE
    exactMatchOf / isRelatedTo)."""

    uri: str
    exact: bool
    major: bool = False  # ceasn:majorAlignment: most of the competency is the concept
    suggested: bool = False  # exports only: a link no one reviewed (ceasn:minorAlignment, never read back)
    label: str = ""  # exports only: the concept's label (CASE destinationNodeURI.title)


@dataclass(slots=True)
class ParsedCompetency:
    text: str
    ext_id: str | None = None
    label: str | None = None
    category: str | None = None
    coded_notation: str | None = None
    level: int | None = None
    domain: str | None = None
    parent_ext_id: str | None = None
    db_id: int | None = None  # set only by an API edit that names the stored competency
    alignments: list[ParsedAlignment] = field(default_factory=list)


@dataclass(slots=True)
class ParsedCredential:
    name: str
    source_format: str
    ctid: str | None = None
    description: str = ""
    url: str | None = None
    type: str | None = None  # CTDL class without prefix; None: the source did not say (new ones: Certificate)
    occupations: list[str] = field(default_factory=list)
    # occupation names without a code (CTDL occupationType with only a name); coded through nlp on import
    occupation_titles: list[str] = field(default_factory=list)
    region: str | None = None
    region_codes: list[str] | None = None  # canonical codes when given as such (None: from `region`)
    language: str | None = None  # None: the source did not say (new ones: en)
    framework_ctid: str | None = None
    has_part: list[str] = field(default_factory=list)
    is_part_of: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    competencies: list[ParsedCompetency] = field(default_factory=list)
    recognition_aliases: list[str] | None = None  # None: the source did not say (a file import never does)


def text_hash(text: str) -> str:
    """Identity of a competency statement: whitespace and letter case do not count as a change."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()


# Column sizes of the credential and competency tables: a longer value is the file's error, not the
# database's.
CREDENTIAL_LIMITS = {
    "name": 500,
    "ctid": 100,
    "url": 2000,
    "type": 100,
    "region": 200,
    "language": 16,
    "framework_ctid": 100,
}
COMPETENCY_LIMITS = {"ext_id": 300, "label": 500, "category": 300, "coded_notation": 100, "text": 20_000}


def check_sizes(credentials: list[ParsedCredential]) -> None:
    """Refuse values that do not fit, naming the credential, the competency and the field."""
    for credential in credentials:
        for field_name, limit in CREDENTIAL_LIMITS.items():
            value = getattr(credential, field_name)
            if value is not None and len(value) > limit:
                raise CredentialFormatError(
                    f"credential {credential.name[:80]!r}: {field_name} is {len(value)} characters "
                    f"long; at most {limit}"
                )
        for position, competency in enumerate(credential.competencies, start=1):
            for field_name, limit in COMPETENCY_LIMITS.items():
                value = getattr(competency, field_name)
                if value is not None and len(value) > limit:
                    raise CredentialFormatError(
                        f"credential {credential.name[:80]!r}, competency {position} "
                        f"({competency.text[:60]!r}): "
                        f"{field_name} is {len(value)} characters long; at most {limit}"
                    )
