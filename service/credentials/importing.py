"""Importing credentials: one path for the API, the CLI and the demo.

One call is one transaction: the caller's session commits when the whole file went in, and nothing of the file
is stored when any part fails. The database is only read while the linker runs (in the NLP process pool), so a
slow link never holds a write lock.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.formats import CredentialFormatError, ParsedCompetency, ParsedCredential
from service.credentials.formats.detect import (
    JSON_TYPES,
    guess_content_type,
    is_native,
    load_json,
    media_type,
    read_credential_document,
)
from service.credentials.formats.records import check_sizes
from service.credentials.linking import LinkResults
from service.credentials.linkstore import LinkWriter, ProgressFn, run_linker
from service.credentials.matching import StoredCompetency, match_competencies
from service.credentials.models import Competency, Credential
from service.credentials.schemas import CredentialCreate, CredentialImportResult, ImportReport
from service.credentials.storing import GENERATED_CTID, Target, link_stack, save_credential
from service.nlp_runner import NlpRunner


class CredentialConflict(Exception):
    """A create names a credential that already exists (HTTP 409)."""


class ImportTooLarge(CredentialFormatError):
    """The document is larger than one import may be (HTTP 413); refused before it is parsed."""


class TooManyCompetencies(CredentialFormatError):
    """The document holds more competencies than one import may (HTTP 400); refused before any linking."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Per-import limits of the HTTP import (settings.credentials); the CLI imports without them."""

    max_bytes: int
    max_competencies: int

    def check_size(self, size: int, *, partial: bool = False) -> None:
        """`partial`: `size` bytes read so far of a body of unknown length."""
        if size > self.max_bytes:
            how_big = f"more than {_megabytes(self.max_bytes)}" if partial else _megabytes(size)
            raise ImportTooLarge(
                f"the document is {how_big}; one import may be at most {_megabytes(self.max_bytes)} "
                "(SKILLPULSE_CREDENTIALS_MAX_IMPORT_BYTES): split it into several imports"
            )

    def check_competencies(self, parsed: list[ParsedCredential]) -> None:
        count = sum(len(p.competencies) for p in parsed)
        if count > self.max_competencies:
            raise TooManyCompetencies(
                f"the document holds {count:,} competencies; one import may hold at most "
                f"{self.max_competencies:,} (SKILLPULSE_CREDENTIALS_MAX_IMPORT_COMPETENCIES): split it into "
                "several imports"
            )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100 * 1024 else f"{size:,} bytes"


def validation_message(exc: ValidationError, prefix: str = "") -> str:
    parts = []
    for error in exc.errors()[:10]:
        where = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{prefix}{where}: {error['msg']}")
    return "; ".join(parts)


def native_to_parsed(data: CredentialCreate) -> ParsedCredential:
    return ParsedCredential(
        name=data.name,
        source_format="json",
        ctid=data.ctid.lower() if data.ctid else None,
        description=data.description,
        url=data.url,
        type=data.type,
        occupations=list(data.occupations),
        region=data.region,
        region_codes=data.region_codes,
        language=data.language,
        recognition_aliases=data.recognition_aliases,
        competencies=[
            ParsedCompetency(
                text=c.text,
                ext_id=c.ext_id,
                label=c.label,
                category=c.category,
                coded_notation=c.coded_notation,
                level=c.level,
                domain=c.domain,
            )
            for c in data.competencies
        ],
    )


def parse_document(data: bytes | str, content_type: str | None) -> list[ParsedCredential]:
    """Any format we import, native JSON included (the CLI and the demo accept it in a file)."""
    if media_type(content_type) in JSON_TYPES:
        document = load_json(data)
        if is_native(document):
            try:
                return [native_to_parsed(CredentialCreate.model_validate(document))]
            except ValidationError as exc:
                raise CredentialFormatError(validation_message(exc)) from None
    return read_credential_document(data, content_type)


async def parse_upload(
    data: bytes, content_type: str | None, limits: ImportLimits | None = None
) -> list[ParsedCredential]:
    """Parse a document within the limits: its size before parsing, its competencies before any linking."""
    if limits is not None:
        limits.check_size(len(data))
    # parsing is pure Python over up to max_bytes: in a thread, so the event loop keeps answering meanwhile
    parsed = await anyio.to_thread.run_sync(parse_document, data, content_type)
    if limits is not None:
        limits.check_competencies(parsed)
    return parsed


async def import_credential_file(
    session: AsyncSession,
    org_id: int,
    source: Path | bytes,
    content_type: str | None,
    nlp_runner: NlpRunner | None,
    *,
    progress: ProgressFn | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Import a CTDL JSON-LD, CASE, CSV or native JSON document (a path, or bytes with their content type).

    Re-importing updates in place (same CTID, or same name in the organisation when the file has no CTID) and
    keeps every human review decision. Raises CredentialFormatError (a 400: names the node or row and field),
    UnsupportedContentType (415), LinkingUnavailable (503), and with `limits` ImportTooLarge (413) or
    TooManyCompetencies (400). `nlp_runner=None` imports without linking.
    """
    if isinstance(source, Path):
        content_type = content_type or guess_content_type(source.name)
        data: bytes = await asyncio.to_thread(source.read_bytes)
    else:
        data = source
    parsed = await parse_upload(data, content_type, limits)
    if progress:
        progress("parsed", sum(len(p.competencies) for p in parsed), sum(len(p.competencies) for p in parsed))
    results = await import_parsed(session, org_id, parsed, nlp_runner, progress=progress)
    return ImportReport(format=parsed[0].source_format if parsed else "", credentials=results)


async def find_existing(session: AsyncSession, org_id: int, parsed: ParsedCredential) -> Credential | None:
    """Same CTID; else the same name (a live credential before a deleted one) when the source has no CTID, or
    when the credential of that name only has the CTID we made up for it (it is being published now)."""
    if parsed.ctid:
        found = await session.scalar(
            select(Credential).where(Credential.org_id == org_id, Credential.ctid == parsed.ctid)
        )
        if found is not None:
            return found
    named = await session.scalar(
        select(Credential)
        .where(Credential.org_id == org_id, func.lower(Credential.name) == parsed.name.lower())
        .order_by(Credential.deleted_at.is_not(None), Credential.id.desc())
        .limit(1)
    )
    if named is not None and parsed.ctid and not (named.extra or {}).get(GENERATED_CTID):
        return None  # another publisher's credential of the same name
    return named


async def import_parsed(
    session: AsyncSession,
    org_id: int,
    parsed_list: list[ParsedCredential],
    nlp_runner: NlpRunner | None,
    *,
    progress: ProgressFn | None = None,
    create_only: bool = False,
    authoritative: bool = False,
    existing: Credential | None = None,
) -> list[CredentialImportResult]:
    """Merge parsed credentials into the organisation. `create_only` refuses an existing live credential;
    `authoritative` lets empty fields clear stored ones (an API edit) where a file import only ever sets;
    `existing` pins the credential to update (PATCH)."""
    check_sizes(parsed_list)
    targets = [await _target(session, org_id, parsed, create_only, existing) for parsed in parsed_list]
    to_link = [(m.parsed.text, m.parsed.label) for t in targets for m in t.matches if m.text_changed]
    titles = sorted({title for t in targets for title in t.parsed.occupation_titles})
    refs = sorted({a.uri for t in targets for m in t.matches for a in m.parsed.alignments})
    results = LinkResults(proposals=[[] for _ in to_link])
    if nlp_runner is not None and (to_link or titles or refs):
        results = await run_linker(nlp_runner, to_link, titles, refs, progress)
    occupation_codes = dict(zip(titles, results.occupations, strict=False))

    if progress:
        progress("saving", 0, len(targets))
    writer = LinkWriter(session, org_id, results.extractor_version)
    proposals = iter(results.proposals)
    reports = []
    for number, target in enumerate(targets, start=1):
        reports.append(
            await save_credential(
                session, org_id, target, proposals, results, occupation_codes, writer, authoritative
            )
        )
        if progress:
            progress("saving", number, len(targets))
    await writer.flush()
    for target in targets:
        await link_stack(session, org_id, target)
    return reports


async def _target(
    session: AsyncSession,
    org_id: int,
    parsed: ParsedCredential,
    create_only: bool,
    existing: Credential | None,
) -> Target:
    """What one parsed credential will update: the stored credential (if any), its competencies, and how the
    parsed competencies match them."""
    row = existing or await find_existing(session, org_id, parsed)
    if row is not None and create_only and row.deleted_at is None:
        raise CredentialConflict(
            f"credential {row.name!r} already exists (id {row.id}); PATCH it or import the file"
        )
    stored: dict[int, Competency] = {}
    if row is not None:
        stored = {
            c.id: c
            for c in await session.scalars(select(Competency).where(Competency.credential_id == row.id))
        }
    matches, removed = match_competencies(
        [StoredCompetency(c.id, c.ext_id, c.text_hash, c.deleted_at is not None) for c in stored.values()],
        parsed.competencies,
    )
    return Target(parsed, row, stored, matches, removed)
