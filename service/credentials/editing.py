"""Designers' edits: credential and competency changes, soft delete, link review, links by hand, re-linking.

Every function takes the organisation id and answers 404 for another organisation's record."""

from __future__ import annotations

from litestar.exceptions import NotFoundException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.credentials.formats.records import ParsedCompetency, ParsedCredential, text_hash
from service.credentials.formats.vocab import is_concept_uri
from service.credentials.importing import CredentialConflict, import_parsed
from service.credentials.linking import LINKED_VERSION, LinkResults, describe_concepts
from service.credentials.linkstore import LinkWriter, links_of, run_linker
from service.credentials.models import Competency, CompetencySkill, Credential, SkillConcept
from service.credentials.queries import get_credential_row, live_competencies
from service.credentials.regions import edit_region
from service.credentials.schemas import CompetencyEdit, CompetencyUpdate, CredentialUpdate
from service.nlp_runner import NlpRunner


class UnknownConcept(Exception):
    """A link by hand to a concept that is in neither the taxonomy nor the organisation's own concepts."""


async def update_credential(
    session: AsyncSession,
    org_id: int,
    credential_id: int,
    data: CredentialUpdate,
    nlp_runner: NlpRunner | None,
) -> None:
    row = await get_credential_row(session, org_id, credential_id)
    fields = data.model_fields_set
    if "name" in fields and data.name and data.name.lower() != row.name.lower():
        await _check_name_free(session, org_id, row.id, data.name)
    changed = edit_region(row, fields, data.region, data.region_codes)
    changed = _apply_fields(row, data) or changed
    if changed:
        row.updated_at = utcnow()
    if data.competencies is not None:
        await _replace_competencies(session, org_id, row, data.competencies, nlp_runner)


async def _check_name_free(session: AsyncSession, org_id: int, credential_id: int, name: str) -> None:
    clash = await session.scalar(
        select(Credential.id).where(
            Credential.org_id == org_id,
            func.lower(Credential.name) == name.lower(),
            Credential.deleted_at.is_(None),
            Credential.id != credential_id,
        )
    )
    if clash is not None:
        raise CredentialConflict(f"another credential is named {name!r} (id {clash})")


def _apply_fields(row: Credential, data: CredentialUpdate) -> bool:
    """The edit's plain fields onto the row; whether any changed."""
    changed = False
    for key in ("name", "description", "url", "type", "occupations", "language", "recognition_aliases"):
        if key not in data.model_fields_set:
            continue
        value = getattr(data, key)
        if key == "recognition_aliases":
            value = value or []
        if value is None and key in ("name", "description", "type", "occupations", "language"):
            continue  # these cannot be empty
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


async def _replace_competencies(
    session: AsyncSession,
    org_id: int,
    row: Credential,
    competencies: list[CompetencyEdit],
    nlp_runner: NlpRunner | None,
) -> None:
    """The edit's competency list becomes the credential's, through the importer (reviews kept by id)."""
    current = await live_competencies(session, row.id)
    by_id = {c.id: c for c in current}
    for item in competencies:
        if item.id is not None and item.id not in by_id:
            raise NotFoundException(f"competency {item.id} is not a competency of credential {row.id}")
    parsed = ParsedCredential(  # the credential as it now is: only the competencies change below
        name=row.name,
        source_format=row.source_format,
        description=row.description,
        url=row.url,
        type=row.type,
        occupations=list(row.occupations or []),
        region=row.region,
        region_codes=list(row.region_codes or []),
        language=row.language,
        framework_ctid=row.framework_ctid,
        competencies=[
            ParsedCompetency(
                text=c.text,
                ext_id=c.ext_id or (by_id[c.id].ext_id if c.id else None),
                label=c.label,
                category=c.category,
                coded_notation=c.coded_notation,
                level=c.level,
                domain=c.domain,
                parent_ext_id=_parent_ext(by_id, c.id),
                db_id=c.id,
            )
            for c in competencies
        ],
    )
    await import_parsed(session, org_id, [parsed], nlp_runner, authoritative=True, existing=row)


def _parent_ext(by_id: dict[int, Competency], competency_id: int | None) -> str | None:
    """An edit through the credential keeps the hierarchy its file gave (the edit body has no parents)."""
    parent_id = by_id[competency_id].parent_id if competency_id else None
    return by_id[parent_id].ext_id if parent_id in by_id else None


async def delete_credential(session: AsyncSession, org_id: int, credential_id: int) -> None:
    """Soft delete: the credential, its competencies and their reviewed links stay for history (and come back
    with their decisions if the credential is imported again)."""
    row = await get_credential_row(session, org_id, credential_id)
    row.deleted_at = row.updated_at = utcnow()


async def get_competency_row(session: AsyncSession, org_id: int, competency_id: int) -> Competency:
    row = await session.get(Competency, competency_id)
    if row is None or row.org_id != org_id or row.deleted_at is not None:
        raise NotFoundException(f"competency {competency_id} not found")
    await get_credential_row(
        session, org_id, row.credential_id
    )  # a deleted credential hides its competencies
    return row


async def update_competency(
    session: AsyncSession,
    org_id: int,
    competency_id: int,
    data: CompetencyUpdate,
    nlp_runner: NlpRunner | None,
) -> Competency:
    row = await get_competency_row(session, org_id, competency_id)
    fields = data.model_fields_set
    text_changed = "text" in fields and data.text is not None and text_hash(data.text) != row.text_hash
    for key in ("text", "label", "category", "coded_notation", "level", "domain"):
        if key in fields and not (key == "text" and data.text is None):
            setattr(row, key, getattr(data, key))
    row.text_hash = text_hash(row.text)
    row.updated_at = utcnow()
    if text_changed and nlp_runner is not None:
        await _relink(session, org_id, [row], nlp_runner)
    return row


async def get_link_row(session: AsyncSession, org_id: int, link_id: int) -> CompetencySkill:
    link = await session.get(CompetencySkill, link_id)
    if link is None or link.org_id != org_id:
        raise NotFoundException(f"competency-skill link {link_id} not found")
    await get_competency_row(session, org_id, link.competency_id)
    return link


async def review_link(
    session: AsyncSession, org_id: int, user_id: int, link_id: int, status: str
) -> CompetencySkill:
    link = await get_link_row(session, org_id, link_id)
    if link.status != status:
        link.status = status
        link.reviewed_by = user_id
        link.reviewed_at = utcnow()
    return link


async def add_link(
    session: AsyncSession,
    org_id: int,
    user_id: int,
    competency_id: int,
    concept_id: str,
    concept_label: str | None,
    nlp_runner: NlpRunner | None,
) -> tuple[CompetencySkill, bool]:
    """A designer links a concept by hand (confirmed, method manual). The concept must be one we know: in the
    packaged taxonomy, among the organisation's own concepts, or described by a label given with it.
    Returns (link, created); an existing link to the concept is confirmed instead of duplicated."""
    competency = await get_competency_row(session, org_id, competency_id)
    if not is_concept_uri(concept_id):
        raise UnknownConcept(f"concept_id {concept_id!r} must be a URI (https://… or urn:…)")
    label = concept_label
    custom = await session.scalar(
        select(SkillConcept).where(SkillConcept.org_id == org_id, SkillConcept.uri == concept_id)
    )
    if custom is not None:
        label = label or custom.label
    elif nlp_runner is not None:
        found: LinkResults = await nlp_runner.run(describe_concepts, [concept_id])
        if concept_id in found.concept_ids:
            concept_id, label = found.concept_ids[concept_id], label or found.concept_labels[concept_id]
    if not label:
        raise UnknownConcept(
            f"concept {concept_id!r} is not in the skill taxonomy nor among your organisation's concepts; "
            "give a concept_label to add it as your own"
        )
    now = utcnow()
    existing = await session.scalar(
        select(CompetencySkill).where(
            CompetencySkill.competency_id == competency.id, CompetencySkill.concept_id == concept_id
        )
    )
    if existing is not None:
        existing.status, existing.reviewed_by, existing.reviewed_at = "confirmed", user_id, now
        return existing, False
    link = CompetencySkill(
        org_id=org_id,
        competency_id=competency.id,
        concept_id=concept_id,
        concept_label=label[:500],
        score=1.0,
        method="manual",
        status="confirmed",
        reviewed_by=user_id,
        reviewed_at=now,
    )
    session.add(link)
    await session.flush()
    return link, True


async def relink_credential(
    session: AsyncSession, org_id: int, credential_id: int, nlp_runner: NlpRunner, version: str | None = None
) -> dict[str, int]:
    """Link every competency again (after a taxonomy or model change); human decisions stay as they are.
    Records the extractor version used (`version` when there was nothing to link) on the credential."""
    row = await get_credential_row(session, org_id, credential_id)
    counts, used = await _relink(session, org_id, await live_competencies(session, row.id), nlp_runner)
    _record_version(row, used or version)
    return counts


def _record_version(row: Credential, version: str | None) -> None:
    if version and (row.extra or {}).get(LINKED_VERSION) != version:
        row.extra = {**(row.extra or {}), LINKED_VERSION: version}


async def relink_organisation(session: AsyncSession, org_id: int, nlp_runner: NlpRunner) -> dict[str, int]:
    """Re-link every live competency of the organisation's live credentials."""
    competencies = list(
        await session.scalars(
            select(Competency)
            .join(Credential, Credential.id == Competency.credential_id)
            .where(
                Competency.org_id == org_id, Competency.deleted_at.is_(None), Credential.deleted_at.is_(None)
            )
            .order_by(Competency.id)
        )
    )
    counts, used = await _relink(session, org_id, competencies, nlp_runner)
    for row in await session.scalars(
        select(Credential).where(Credential.org_id == org_id, Credential.deleted_at.is_(None))
    ):
        _record_version(row, used)
    return counts


async def _relink(
    session: AsyncSession, org_id: int, competencies: list[Competency], nlp_runner: NlpRunner
) -> tuple[dict[str, int], str]:
    """(counts, the extractor version used: "" when there was nothing to link)."""
    if not competencies:
        return {"competencies": 0, "added": 0, "updated": 0, "removed": 0}, ""
    results = await run_linker(nlp_runner, [(c.text, c.label) for c in competencies])
    existing = await links_of(session, [c.id for c in competencies])
    writer = LinkWriter(session, org_id, results.extractor_version)
    removed = 0
    for competency, proposals in zip(competencies, results.proposals, strict=True):
        removed += len(writer.apply(competency.id, existing[competency.id], proposals).delete)
    await writer.flush()
    counts = {
        "competencies": len(competencies),
        "added": writer.added,
        "updated": writer.updated,
        "removed": removed,
    }
    return counts, results.extractor_version
