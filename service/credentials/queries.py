"""Reading credentials of one organisation: lists, one credential with its competencies and links, and the
view the CTDL writer needs."""

from __future__ import annotations

from litestar.exceptions import NotFoundException
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.schemas import Page
from service.credentials.formats.records import ParsedAlignment, ParsedCompetency, ParsedCredential
from service.credentials.formats.vocab import CTID, derived_ctid
from service.credentials.linkstore import links_of
from service.credentials.models import Competency, CompetencySkill, Credential
from service.credentials.schemas import CompetencyRead, CredentialRead, CredentialSummary, LinkRead

# How a confirmed link is published (README "CTDL and CASE export"): this close, the competency is the concept
# (exactAlignment; links added by hand score 1.0); from MAJOR_MIN_SCORE, the concept is most of it
# (majorAlignment); below, the competency draws on a broader skill (broadAlignment). Imported alignments are
# stored at 1.0 / 0.85 / 0.75 (linking.asserted_score), so a round trip keeps their kind.
EXACT_MIN_SCORE = 0.9
MAJOR_MIN_SCORE = 0.8


async def get_credential_row(session: AsyncSession, org_id: int, credential_id: int) -> Credential:
    row = await session.get(Credential, credential_id)
    if row is None or row.org_id != org_id or row.deleted_at is not None:
        raise NotFoundException(f"credential {credential_id} not found")
    return row


async def live_competencies(session: AsyncSession, credential_id: int) -> list[Competency]:
    rows = await session.scalars(
        select(Competency)
        .where(Competency.credential_id == credential_id, Competency.deleted_at.is_(None))
        .order_by(Competency.position, Competency.id)
    )
    return list(rows)


async def list_credentials(
    session: AsyncSession, org_id: int, q: str | None, limit: int, offset: int
) -> Page[CredentialSummary]:
    where = [Credential.org_id == org_id, Credential.deleted_at.is_(None)]
    if q:
        pattern = f"%{q.lower()}%"
        where.append(or_(func.lower(Credential.name).like(pattern), Credential.ctid == q.lower()))
    total = await session.scalar(select(func.count()).select_from(Credential).where(*where)) or 0
    counts = (
        select(Competency.credential_id, func.count().label("n"))
        .where(Competency.org_id == org_id, Competency.deleted_at.is_(None))
        .group_by(Competency.credential_id)
        .subquery()
    )
    rows = await session.execute(
        select(Credential, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.credential_id == Credential.id)
        .where(*where)
        .order_by(Credential.name, Credential.id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        CredentialSummary.model_validate(row).model_copy(update={"competency_count": n})
        for row, n in rows.all()
    ]
    return Page[CredentialSummary](items=items, total=total, limit=limit, offset=offset)


LINK_ORDER = {"confirmed": 0, "suggested": 1, "rejected": 2}


async def _with_links(session: AsyncSession, competencies: list[Competency]) -> list[CompetencyRead]:
    links = await links_of(session, [c.id for c in competencies])
    return [
        CompetencyRead.model_validate(c).model_copy(
            update={
                "links": [
                    LinkRead.model_validate(link)
                    for link in sorted(
                        links[c.id], key=lambda x: (LINK_ORDER.get(x.status, 3), -x.score, x.id)
                    )
                ]
            }
        )
        for c in competencies
    ]


async def read_credential(session: AsyncSession, org_id: int, credential_id: int) -> CredentialRead:
    row = await get_credential_row(session, org_id, credential_id)
    competencies = await live_competencies(session, row.id)
    return CredentialRead.model_validate(row).model_copy(
        update={
            "competency_count": len(competencies),
            "competencies": await _with_links(session, competencies),
        }
    )


async def competency_page(
    session: AsyncSession, org_id: int, credential_id: int, limit: int, offset: int
) -> Page[CompetencyRead]:
    """A page of the credential's live competencies (in their order) with their links."""
    row = await get_credential_row(session, org_id, credential_id)
    where = (Competency.credential_id == row.id, Competency.deleted_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(Competency).where(*where)) or 0
    rows = await session.scalars(
        select(Competency)
        .where(*where)
        .order_by(Competency.position, Competency.id)
        .limit(limit)
        .offset(offset)
    )
    items = await _with_links(session, list(rows))
    return Page[CompetencyRead](items=items, total=total, limit=limit, offset=offset)


def export_ctid(competency: Competency, credential: Credential) -> str:
    """The CTID a competency is published under: its own, else one derived from its identity (stable)."""
    if competency.ext_id and CTID.match(competency.ext_id):
        return competency.ext_id.lower()
    return derived_ctid(credential.ctid, competency.ext_id or competency.id)


async def export_view(
    session: AsyncSession, org_id: int, credential_id: int, suggested: bool = False
) -> ParsedCredential:
    """The credential as the CTDL and CASE writers take it: CTIDs everywhere, confirmed links as alignments
    (and, with `suggested`, the links no one has reviewed yet, marked so; rejected ones never)."""
    row = await get_credential_row(session, org_id, credential_id)
    competencies = await live_competencies(session, row.id)
    links = await links_of(session, [c.id for c in competencies])
    ctids = {c.id: export_ctid(c, row) for c in competencies}
    parsed_competencies = []
    for c in competencies:
        wanted = ("confirmed", "suggested") if suggested else ("confirmed",)
        published = sorted(
            (link for link in links[c.id] if link.status in wanted),
            key=lambda x: (x.status != "confirmed", -x.score, x.concept_id),
        )
        parsed_competencies.append(
            ParsedCompetency(
                text=c.text,
                ext_id=ctids[c.id],
                label=c.label,
                category=c.category,
                coded_notation=c.coded_notation,
                level=c.level,
                domain=c.domain,
                parent_ext_id=ctids.get(c.parent_id) if c.parent_id else None,
                alignments=[alignment_of(link) for link in published],
            )
        )
    related = await session.execute(
        select(Credential.id, Credential.ctid, Credential.parent_id).where(
            Credential.org_id == org_id,
            Credential.deleted_at.is_(None),
            or_(Credential.parent_id == row.id, Credential.id == (row.parent_id or -1)),
        )
    )
    has_part = list((row.extra or {}).get("has_part", []))
    is_part_of = list((row.extra or {}).get("is_part_of", []))
    for other_id, other_ctid, other_parent in related.all():
        if other_parent == row.id and other_ctid and other_ctid not in has_part:
            has_part.append(other_ctid)
        elif other_id == row.parent_id and other_ctid and other_ctid not in is_part_of:
            is_part_of.append(other_ctid)
    return ParsedCredential(
        name=row.name,
        source_format=row.source_format,
        ctid=row.ctid,
        description=row.description,
        url=row.url,
        type=row.type,
        occupations=list(row.occupations or []),
        region=row.region,
        language=row.language,
        framework_ctid=row.framework_ctid or derived_ctid(row.ctid, "framework"),
        has_part=has_part,
        is_part_of=is_part_of,
        extra=dict(row.extra or {}),
        competencies=parsed_competencies,
    )


def alignment_of(link: CompetencySkill) -> ParsedAlignment:
    if link.status != "confirmed":
        return ParsedAlignment(link.concept_id, False, suggested=True, label=link.concept_label)
    return ParsedAlignment(
        link.concept_id,
        exact=link.score >= EXACT_MIN_SCORE,
        major=MAJOR_MIN_SCORE <= link.score < EXACT_MIN_SCORE,
        label=link.concept_label,
    )
