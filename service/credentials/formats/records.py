"""What every credential reader produces: plain records the import service merges into the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


class CredentialFormatError(ValueError):
    """The document cannot be imported; the message names the node (or row) and the field at fault."""


@dataclass(slots=True)
class ParsedAlignment:
    """A concept the source itself asserts for a competency (CTDL exact/broad alignment)."""

    uri: str
    exact: bool


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
    language: str = "en"
    framework_ctid: str | None = None
    has_part: list[str] = field(default_factory=list)
    is_part_of: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    competencies: list[ParsedCompetency] = field(default_factory=list)


def text_hash(text: str) -> str:
    """Identity of a competency statement: whitespace and letter case do not count as a change."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()
