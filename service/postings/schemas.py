"""Request and response types of the postings API (tables are never bodies)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from litestar.params import PathParameter
from pydantic import Discriminator, Field, RootModel, Tag, model_validator

from kernel.schemas import Input, Output

MAX_BATCH = 1000

# Path ids within their column's range: a bigger number is a 400, never a database error.
SourceId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="Import source id.")]
PostingId = Annotated[int, PathParameter(ge=1, le=2**63 - 1, description="Posting id.")]
SOURCE_KINDS = ("greenhouse", "lever", "ashby", "rss", "jsonld", "csv", "usajobs")
SourceKind = Literal["greenhouse", "lever", "ashby", "rss", "jsonld", "csv", "usajobs"]


class PostingCreate(Input):
    """One posting. `text` (plain) or `html` carries the description; HTML is turned into clean text."""

    source: str = Field(
        min_length=1, max_length=200, description="Where the posting comes from (a board, a feed)."
    )
    external_id: str = Field(
        min_length=1, max_length=500, description="Its id at the source; idempotency key."
    )
    title: str = Field(min_length=1, max_length=1000)
    text: str | None = Field(default=None, max_length=200_000)
    html: str | None = Field(default=None, max_length=400_000)
    url: str | None = Field(default=None, max_length=2000)
    employer: str | None = Field(default=None, max_length=500)
    region: str | None = Field(default=None, max_length=200)
    occupation: str | None = Field(
        default=None, max_length=16, description="O*NET-SOC code, e.g. 15-1232.00."
    )
    posted_at: date | datetime | None = None

    @model_validator(mode="after")
    def _has_description(self) -> PostingCreate:
        if not (self.text and self.text.strip()) and not (self.html and self.html.strip()):
            raise ValueError("a posting needs its description in `text` or `html`")
        return self


class PostingBatch(Input):
    postings: list[PostingCreate] = Field(min_length=1, max_length=MAX_BATCH)


def _intake_shape(value: object) -> str:
    return "batch" if isinstance(value, dict) and "postings" in value else "one"


class PostingIntake(
    RootModel[
        Annotated[
            Annotated[PostingBatch, Tag("batch")] | Annotated[PostingCreate, Tag("one")],
            Discriminator(_intake_shape),
        ]
    ]
):
    """The body of `POST /api/v1/postings`: one posting, or `{"postings": [...]}`."""

    def items(self) -> list[PostingCreate]:
        return self.root.postings if isinstance(self.root, PostingBatch) else [self.root]


class IntakeItem(Output):
    index: int
    id: int
    source: str
    external_id: str
    status: Literal["created", "updated", "unchanged"]
    duplicate_of: int | None = Field(
        default=None,
        description="The first posting with the same content (a repost), counted once in demand.",
    )


class IntakeResult(Output):
    created: int
    updated: int
    unchanged: int
    postings: list[IntakeItem]


class PostingRead(Output):
    id: int
    source: str
    external_id: str
    url: str | None
    title: str
    employer: str | None
    region: str | None
    geo: dict | None = Field(
        default=None, description="The location as US codes: state, county, cbsa, remote (null: unknown)."
    )
    occupation: str | None = Field(description="O*NET-SOC code.")
    occupation_label: str | None
    occupation_source: str | None = Field(description="given | coded")
    posted_at: date | None
    content_hash: str
    extraction_status: str
    extraction_version: str | None
    import_source_id: int | None
    created_at: datetime
    updated_at: datetime


class ConceptRef(Output):
    id: str
    uri: str
    label: str | None


class MentionRead(Output):
    start: int
    end: int
    text: str
    kind: str
    concept: ConceptRef | None
    score: float
    requirement: str | None


class PostingDetail(PostingRead):
    text: str
    duplicate_of: int | None
    extraction_error: str | None
    mentions: list[MentionRead]


class ImportSourceCreate(Input):
    kind: SourceKind
    name: str = Field(min_length=1, max_length=200)
    url: str | None = Field(default=None, max_length=2000, description="The feed's full endpoint URL.")
    board: str | None = Field(
        default=None,
        max_length=200,
        description="Board token (greenhouse, lever, ashby) when no url is given.",
    )
    schedule: str = Field(default="0 3 * * *", max_length=100, description="Cron (5 fields, UTC).")
    enabled: bool = True
    region: str | None = Field(
        default=None, max_length=200, description="Region for postings that give none."
    )
    occupation: str | None = Field(
        default=None, max_length=16, description="O*NET-SOC code for postings that give none."
    )
    config: dict = Field(
        default_factory=dict,
        description="Kind options: usajobs `api_key`, `email`; csv `columns`; any: `headers`, `max_pages`.",
    )


class ImportSourceUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    board: str | None = Field(default=None, max_length=200)
    schedule: str | None = Field(default=None, max_length=100)
    enabled: bool | None = None
    region: str | None = Field(default=None, max_length=200)
    occupation: str | None = Field(default=None, max_length=16)
    config: dict | None = None


class ImportSourceRead(Output):
    id: int
    kind: str
    name: str
    url: str
    board: str | None
    schedule: str
    enabled: bool
    region: str | None
    occupation: str | None
    consecutive_failures: int
    last_run: ImportRunRead | None = None
    created_at: datetime
    updated_at: datetime


class ImportRunRead(Output):
    id: int
    source_id: int
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    new: int
    updated: int
    unchanged: int
    failed: int
    error: str | None
    progress: dict | None = Field(
        None, description="While running on the replica asked: {stage, done, total}; else null."
    )


ImportSourceRead.model_rebuild()


class ImportSourcePreview(Input):
    """A source's feed settings, to fetch once and show what it would import (nothing is stored)."""

    kind: SourceKind
    url: str | None = Field(default=None, max_length=2000, description="The feed's full endpoint URL.")
    board: str | None = Field(default=None, max_length=200, description="Board token when no url is given.")
    region: str | None = Field(
        default=None, max_length=200, description="Region for postings that give none."
    )
    occupation: str | None = Field(default=None, max_length=16, description="O*NET-SOC code as default.")
    config: dict = Field(default_factory=dict, description="Kind options, as for a source.")
    limit: int = Field(default=10, ge=1, le=50, description="Postings to show at most.")


class PreviewPostingRead(Output):
    external_id: str
    title: str
    employer: str | None
    region: str | None
    occupation: str | None
    posted_at: date | None
    url: str | None
    excerpt: str = Field(description="The start of the posting's clean text.")


class ImportSourcePreviewRead(Output):
    url: str = Field(description="The endpoint fetched.")
    found: int = Field(description="Postings on the first page of the feed.")
    failed: int = Field(description="Entries of that page that could not be read as postings.")
    errors: list[str]
    postings: list[PreviewPostingRead] = Field(description="The first `limit` postings it would import.")
