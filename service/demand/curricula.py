"""A drift run's view of what each credential teaches: its competencies and their links, read for the whole
organisation at once, and which of them cover given concepts (service/demand/coverage.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Competency, CompetencySkill
from service.demand.aggregation import COVERING_LINK_STATUSES
from service.demand.coverage import CompetencyText, Link, match_concepts


@dataclass(slots=True)
class Curriculum:
    """A credential's competencies and links, and which of them cover given concepts."""

    competencies: list[CompetencyText] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    fuzzy_threshold: float = 90.0

    def is_covered(self, concepts: list[tuple[str, str]]) -> dict[str, list[dict]]:
        matched = match_concepts(concepts, self.competencies, self.links, self.fuzzy_threshold)
        return {cid: [m.to_dict() for m in ms] for cid, ms in matched.items()}


async def curricula(
    session: AsyncSession, org_id: int, fuzzy_threshold: float, credential_id: int | None = None
) -> dict[int, Curriculum]:
    """Every live competency and link of the organisation (or of one credential), two queries in all."""
    comp, link = Competency.__table__, CompetencySkill.__table__  # type: ignore[attr-defined]
    conds = [comp.c.org_id == org_id, comp.c.deleted_at.is_(None)]  # core columns: thousands of rows
    if credential_id is not None:
        conds.append(comp.c.credential_id == credential_id)
    out: dict[int, Curriculum] = {}
    credential_of: dict[int, int] = {}
    rows = await session.execute(
        select(comp.c.credential_id, comp.c.id, comp.c.text, comp.c.label)
        .where(*conds)
        .order_by(comp.c.credential_id, comp.c.position, comp.c.id)
    )
    for cred_id, comp_id, text_, label in rows.tuples():
        out.setdefault(cred_id, Curriculum(fuzzy_threshold=fuzzy_threshold)).competencies.append(
            CompetencyText(comp_id, text_ or "", label)
        )
        credential_of[comp_id] = cred_id
    links = await session.execute(
        select(link.c.competency_id, link.c.concept_id, link.c.status)
        .join(comp, comp.c.id == link.c.competency_id)
        .where(link.c.org_id == org_id, *conds)
    )
    for comp_id, concept_id, status in links.tuples():
        out[credential_of[comp_id]].links.append(Link(comp_id, concept_id, status))
    return out


def covering_links(teaching: dict[int, Curriculum]) -> list[tuple[int, int, str]]:
    """(credential, competency, concept) of every link that covers its concept (the competency counts')."""
    return [
        (cred_id, link.competency_id, link.concept_id)
        for cred_id, curriculum in teaching.items()
        for link in curriculum.links
        if link.status in COVERING_LINK_STATUSES
    ]
