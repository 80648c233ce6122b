"""Writing one parsed credential into the database: the credential row, its competencies (added, updated,
removed) and the links of those the linker saw, in bulk statements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.credentials.formats import ParsedCompetency, ParsedCredential
from service.credentials.formats.records import text_hash
from service.credentials.formats.vocab import new_ctid
from service.credentials.linking import (
    LINKED_VERSION,
    LinkResults,
    Proposal,
    asserted_score,
)
from service.credentials.linkstore import LinkWriter, links_of, unchanged_proposals
from service.credentials.matching import Match
from service.credentials.models import Competency, Credential
from service.credentials.regions import stored_region_codes
from service.credentials.schemas import CredentialImportResult

COMPETENCY_FIELDS = ("label", "category", "coded_notation", "level", "domain")
GENERATED_CTID = "ctid_generated"  # in Credential.extra: the CTID is ours, not a publisher's


@dataclass
class Target:
    parsed: ParsedCredential
    row: Credential | None
    stored: dict[int, Competency]
    matches: list[Match]
    removed: list[int]


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
    if parsed.recognition_aliases is not None:
        values["recognition_aliases"] = parsed.recognition_aliases
    return values


async def save_credential(
    session: AsyncSession,
    org_id: int,
    target: Target,
    proposals: Iterator[list[Proposal]],  # LinkResults.proposals, in the order the statements were linked
    results: LinkResults,
    occupation_codes: dict[str, str | None],
    writer: LinkWriter,
    authoritative: bool,
) -> CredentialImportResult:
    parsed, now = target.parsed, utcnow()
    values = _credential_values(parsed, occupation_codes)
    values["region_codes"] = stored_region_codes(parsed, target.row)
    created = target.row is None
    extra = _credential_extra(parsed, created, results)
    if target.row is None:
        row = await _create_credential(session, org_id, parsed, values, extra)
        target.row = row
    else:
        row = target.row
        _update_credential(row, parsed, values, extra, authoritative, now)
    counts, fresh = await _store_competencies(session, org_id, row.id, target, authoritative, now)
    _set_parents(fresh, authoritative)
    before = writer.suggested
    await _write_links(session, fresh, proposals, results, writer)
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


def _credential_extra(parsed: ParsedCredential, created: bool, results: LinkResults) -> dict:
    """The parsed `extra`, with the stack (hasPart / isPartOf) and, for a new credential, our own marks."""
    extra = dict(parsed.extra)
    if parsed.has_part:
        extra["has_part"] = parsed.has_part
    if parsed.is_part_of:
        extra["is_part_of"] = parsed.is_part_of
    if parsed.ctid is None and created:
        extra[GENERATED_CTID] = True
    if created and results.extractor_version:
        extra[LINKED_VERSION] = (
            results.extractor_version
        )  # every competency of a new credential was just linked
    return extra


async def _create_credential(
    session: AsyncSession, org_id: int, parsed: ParsedCredential, values: dict, extra: dict
) -> Credential:
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
    return row


def _update_credential(
    row: Credential, parsed: ParsedCredential, values: dict, extra: dict, authoritative: bool, now: datetime
) -> None:
    """Apply the parsed values (a non-authoritative import leaves what it lacks); undelete; stamp a change."""
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


async def _store_competencies(
    session: AsyncSession, org_id: int, credential_id: int, target: Target, authoritative: bool, now: datetime
) -> tuple[dict[str, int], list[tuple[Competency, Match]]]:
    """Add, update and remove competencies as matched; the counts of each and the live (row, match) pairs."""
    counts = {"added": 0, "updated": 0, "unchanged": 0, "removed": 0}
    fresh: list[tuple[Competency, Match]] = []
    for position, match in enumerate(target.matches):
        p = match.parsed
        if match.stored_id is None:
            comp = Competency(
                org_id=org_id,
                credential_id=credential_id,
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
    return counts, fresh


def _set_parents(fresh: list[tuple[Competency, Match]], authoritative: bool) -> None:
    """Competency parents by ext_id, among the live competencies of this import."""
    live = {c.ext_id: c.id for c, _ in fresh if c.ext_id}
    for comp, match in fresh:
        parent = live.get(match.parsed.parent_ext_id) if match.parsed.parent_ext_id else None
        if parent != comp.parent_id and (
            parent is not None or authoritative or match.parsed.parent_ext_id is None
        ):
            comp.parent_id = parent


async def _write_links(
    session: AsyncSession,
    fresh: list[tuple[Competency, Match]],
    proposals: Iterator[list[Proposal]],
    results: LinkResults,
    writer: LinkWriter,
) -> None:
    """Links of changed competencies from the linker's proposals; asserted alignments on every competency."""
    existing_links = await links_of(session, [c.id for c, m in fresh if m.stored_id is not None])
    for comp, match in fresh:
        links = existing_links.get(comp.id, [])
        asserted = [
            Proposal(
                results.concept_ids.get(a.uri, a.uri),
                results.concept_labels.get(a.uri, ""),
                asserted_score(a),
                "manual",
            )
            for a in match.parsed.alignments
        ]
        if match.text_changed:
            writer.apply(comp.id, links, next(proposals, []), asserted)
        elif asserted:
            writer.apply(comp.id, links, unchanged_proposals(links), asserted)


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


async def link_stack(session: AsyncSession, org_id: int, target: Target) -> None:
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
