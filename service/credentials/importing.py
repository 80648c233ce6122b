"""Importing credentials: one path for the API, the CLI and the demo.

One call is one transaction: the caller's session commits when the whole file went in, and nothing of the file
is stored when any part fails. The database is only read while the linker runs (in the NLP process pool), so a
slow link never holds a write lock.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

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
from service.credentials.formats.records import check_sizes, text_hash
from service.credentials.formats.vocab import new_ctid
from service.credentials.linking import ASSERTED_BROAD_SCORE, ASSERTED_EXACT_SCORE, LinkResults, Proposal
from service.credentials.linkstore import LinkWriter, ProgressFn, links_of, run_linker, unchanged_proposals
from service.credentials.matching import Match, StoredCompetency, match_competencies
from service.credentials.models import Competency, Credential
from service.credentials.schemas import CredentialCreate, CredentialImportResult, ImportReport
from service.nlp_runner import NlpRunner
from service.timeutil import utcnow

COMPETENCY_FIELDS = ("label", "category", "coded_notation", "level", "domain")


class CredentialConflict(Exception):
    """A create names a credential that already exists (HTTP 409)."""


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
        language=data.language,
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


async def import_credential_file(
    session: AsyncSession,
    org_id: int,
    source: Path | bytes,
    content_type: str | None,
    nlp_runner: NlpRunner | None,
    *,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import a CTDL JSON-LD, CASE, CSV or native JSON document (a path, or bytes with their content type).

    Re-importing updates in place (same CTID, or same name in the organisation when the file has no CTID) and
    keeps every human review decision. Raises CredentialFormatError (a 400: names the node or row and field),
    UnsupportedContentType (415) or LinkingUnavailable (503). `nlp_runner=None` imports without linking.
    """
    if isinstance(source, Path):
        content_type = content_type or guess_content_type(source.name)
        data: bytes = await asyncio.to_thread(source.read_bytes)
    else:
        data = source
    parsed = parse_document(data, content_type)
    if progress:
        progress("parsed", sum(len(p.competencies) for p in parsed), sum(len(p.competencies) for p in parsed))
    results = await import_parsed(session, org_id, parsed, nlp_runner, progress=progress)
    return ImportReport(format=parsed[0].source_format if parsed else "", credentials=results)


@dataclass
class _Target:
    parsed: ParsedCredential
    row: Credential | None
    stored: dict[int, Competency]
    matches: list[Match]
    removed: list[int]


GENERATED_CTID = "ctid_generated"  # in Credential.extra: the CTID is ours, not a publisher's


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
    targets: list[_Target] = []
    for parsed in parsed_list:
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
            [
                StoredCompetency(c.id, c.ext_id, c.text_hash, c.deleted_at is not None)
                for c in stored.values()
            ],
            parsed.competencies,
        )
        targets.append(_Target(parsed, row, stored, matches, removed))

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
            await _save(session, org_id, target, proposals, results, occupation_codes, writer, authoritative)
        )
        if progress:
            progress("saving", number, len(targets))
    await writer.flush()
    for target in targets:
        await _link_stack(session, org_id, target)
    return reports


def _credential_values(parsed: ParsedCredential, occupation_codes: dict[str, str | None]) -> dict:
    occupations = list(parsed.occupations)
    for title in parsed.occupation_titles:
        code = occupation_codes.get(title)
        if code and code not in occupations:
            occupations.append(code)
    values = {
        "name": parsed.name,
        "description": parsed.description,
        "url": parsed.url,
        "type": parsed.type,
        "occupations": occupations,
        "region": parsed.region,
        "language": parsed.language,
        "framework_ctid": parsed.framework_ctid,
    }
    return values


async def _save(
    session: AsyncSession,
    org_id: int,
    target: _Target,
    proposals,  # noqa: ANN001 - an iterator over LinkResults.proposals, in the order of `to_link`
    results: LinkResults,
    occupation_codes: dict[str, str | None],
    writer: LinkWriter,
    authoritative: bool,
) -> CredentialImportResult:
    parsed, now = target.parsed, utcnow()
    values = _credential_values(parsed, occupation_codes)
    row = target.row
    created = row is None
    extra = dict(parsed.extra)
    if parsed.has_part:
        extra["has_part"] = parsed.has_part
    if parsed.is_part_of:
        extra["is_part_of"] = parsed.is_part_of
    if parsed.ctid is None and row is None:
        extra[GENERATED_CTID] = True
    if row is None:
        row = Credential(
            org_id=org_id,
            ctid=parsed.ctid or new_ctid(),
            source_format=parsed.source_format,
            extra=extra,
            **{
                **values,
                "type": values["type"] or "Certificate",
                "framework_ctid": values["framework_ctid"] or new_ctid(),
                "description": values["description"] or "",
                "language": values["language"] or "en",
            },
        )
        session.add(row)
        await session.flush()
        target.row = row
    else:
        changed = False
        for key, value in values.items():
            if (value is None or value == "" or value == []) and not authoritative:
                continue
            if key in ("name", "type", "language", "framework_ctid", "description") and value is None:
                continue
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        merged_extra = {**(row.extra or {}), **extra}
        if parsed.ctid and row.ctid != parsed.ctid:
            row.ctid = parsed.ctid  # the publisher's CTID replaces the one we made up
            merged_extra.pop(GENERATED_CTID, None)
            changed = True
        if merged_extra != (row.extra or {}):
            row.extra = merged_extra
            changed = True
        if row.deleted_at is not None:
            row.deleted_at = None
            changed = True
        if changed:
            row.updated_at = now

    counts = {"added": 0, "updated": 0, "unchanged": 0, "removed": 0}
    fresh: list[tuple[Competency, Match]] = []
    for position, match in enumerate(target.matches):
        p = match.parsed
        if match.stored_id is None:
            comp = Competency(
                org_id=org_id,
                credential_id=row.id,
                ext_id=p.ext_id or new_ctid(),
                text=p.text,
                label=p.label,
                category=p.category,
                coded_notation=p.coded_notation,
                level=p.level,
                domain=p.domain,
                position=position,
                text_hash=text_hash(p.text),
            )
            session.add(comp)
            fresh.append((comp, match))
            counts["added"] += 1
            continue
        comp = target.stored[match.stored_id]
        changed = _update_competency(comp, p, position, authoritative)
        counts["updated" if changed else "unchanged"] += 1
        if changed:
            comp.updated_at = now
        fresh.append((comp, match))
    for comp_id in target.removed:
        target.stored[comp_id].deleted_at = now
        counts["removed"] += 1
    await session.flush()

    live = {c.ext_id: c.id for c, _ in fresh if c.ext_id}
    for comp, match in fresh:
        parent = live.get(match.parsed.parent_ext_id) if match.parsed.parent_ext_id else None
        if parent != comp.parent_id and (
            parent is not None or authoritative or match.parsed.parent_ext_id is None
        ):
            comp.parent_id = parent

    existing_links = await links_of(session, [c.id for c, m in fresh if m.stored_id is not None])
    before = writer.suggested
    for comp, match in fresh:
        links = existing_links.get(comp.id, [])
        asserted = [
            Proposal(
                results.concept_ids.get(a.uri, a.uri),
                results.concept_labels.get(a.uri, ""),
                ASSERTED_EXACT_SCORE if a.exact else ASSERTED_BROAD_SCORE,
                "manual",
            )
            for a in match.parsed.alignments
        ]
        if match.text_changed:
            writer.apply(comp.id, links, next(proposals, []), asserted)
        elif asserted:
            writer.apply(comp.id, links, unchanged_proposals(links), asserted)
    return CredentialImportResult(
        id=row.id,
        name=row.name,
        created=created,
        competencies_added=counts["added"],
        competencies_updated=counts["updated"],
        competencies_unchanged=counts["unchanged"],
        competencies_removed=counts["removed"],
        links_suggested=writer.suggested - before,
    )


def _update_competency(
    comp: Competency, parsed: ParsedCompetency, position: int, authoritative: bool
) -> bool:
    changed = False
    if comp.text != parsed.text:
        comp.text, comp.text_hash = parsed.text, text_hash(parsed.text)
        changed = True
    for key in COMPETENCY_FIELDS:
        value = getattr(parsed, key)
        if (value is None and not authoritative) or getattr(comp, key) == value:
            continue
        setattr(comp, key, value)
        changed = True
    if parsed.ext_id and comp.ext_id != parsed.ext_id:
        comp.ext_id = parsed.ext_id
        changed = True
    if comp.position != position:
        comp.position = position
        changed = True
    if comp.deleted_at is not None:
        comp.deleted_at = None
        changed = True
    return changed


async def _link_stack(session: AsyncSession, org_id: int, target: _Target) -> None:
    """Stackable credentials: `isPartOf` names this credential's parent, `hasPart` its children, by CTID."""
    parsed = target.parsed
    row = target.row
    if row is None or not (parsed.is_part_of or parsed.has_part):
        return
    if parsed.is_part_of:
        parent = await session.scalar(
            select(Credential).where(Credential.org_id == org_id, Credential.ctid.in_(parsed.is_part_of))
        )
        if parent is not None and parent.id != row.id and row.parent_id != parent.id:
            row.parent_id = parent.id
    if parsed.has_part:
        children = await session.scalars(
            select(Credential).where(Credential.org_id == org_id, Credential.ctid.in_(parsed.has_part))
        )
        for child in children:
            if child.id != row.id and child.parent_id != row.id:
                child.parent_id = row.id
