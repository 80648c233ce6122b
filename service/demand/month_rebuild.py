"""The month rollups, concept keys and mention index rebuilt in SQL from demand_rollup and the counted
postings' mentions (the last step of service/demand/rollup_rebuild.rebuild)."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.models import DemandCanon, DemandConcept, DemandMention, DemandMonth, DemandRollup
from service.demand.rollup_months import MENTION_KEY, MONTH_KEY, TOTAL_KEY, month_of_day
from service.demand.rollups import TOTAL
from service.postings.models import PostingSkill

_CANON = DemandCanon.__table__  # type: ignore[attr-defined]
_ROLLUP = DemandRollup.__table__  # type: ignore[attr-defined]
_CONCEPT = DemandConcept.__table__  # type: ignore[attr-defined]
_MONTH = DemandMonth.__table__  # type: ignore[attr-defined]
_MENTION = DemandMention.__table__  # type: ignore[attr-defined]
_SKILL = PostingSkill.__table__  # type: ignore[attr-defined]


async def rebuild_months(session: AsyncSession, org_id: int | None) -> None:
    """Concept keys and labels from the day rows, month rows as their sums, and the mention index from the
    canonical postings' mentions (one organisation, or all)."""

    def scope(table):  # noqa: ANN001, ANN202 - a table with org_id
        return [table.c.org_id == org_id] if org_id is not None else []

    for table in (_MENTION, _MONTH, _CONCEPT):
        await session.execute(delete(table).where(*scope(table)))
    await session.execute(
        insert(_CONCEPT).from_select(
            ["org_id", "concept_id", "label"],
            select(_ROLLUP.c.org_id, _ROLLUP.c.concept_id, func.max(_ROLLUP.c.concept_label))
            .where(*scope(_ROLLUP), _ROLLUP.c.concept_id != TOTAL)
            .group_by(_ROLLUP.c.org_id, _ROLLUP.c.concept_id)
            .order_by(_ROLLUP.c.org_id, _ROLLUP.c.concept_id),
        )
    )
    if session.get_bind().dialect.name == "postgresql":  # statistics first: without, it plans nested loops
        for table in ("demand_rollup", "demand_concept", "demand_canon"):
            await session.execute(text(f"ANALYZE {table}"))
    month = month_of_day(session.get_bind().dialect.name, _ROLLUP.c.day)
    concept = func.coalesce(_CONCEPT.c.id, literal(TOTAL_KEY))
    await session.execute(
        insert(_MONTH).from_select(
            [*MONTH_KEY, "postings", "required", "preferred"],
            select(
                _ROLLUP.c.org_id,
                month,
                _ROLLUP.c.occupation_code,
                _ROLLUP.c.place_id,
                concept,
                func.sum(_ROLLUP.c.postings),
                func.sum(_ROLLUP.c.required),
                func.sum(_ROLLUP.c.preferred),
            )
            .select_from(_ROLLUP)
            .outerjoin(
                _CONCEPT,
                and_(_CONCEPT.c.org_id == _ROLLUP.c.org_id, _CONCEPT.c.concept_id == _ROLLUP.c.concept_id),
            )
            .where(*scope(_ROLLUP))
            .group_by(_ROLLUP.c.org_id, month, _ROLLUP.c.occupation_code, _ROLLUP.c.place_id, concept),
        )
    )
    await _rebuild_mentions(session, scope(_CANON))


async def _rebuild_mentions(session: AsyncSession, scope_canon: list) -> None:
    """Each canonical posting's concepts (its distinct mentioned concepts, by key)."""
    await session.execute(
        insert(_MENTION).from_select(
            [*MENTION_KEY, "occupation_code", "place_id"],
            select(
                _CANON.c.org_id,
                _CONCEPT.c.id,
                _CANON.c.day,
                _CANON.c.posting_id,
                _CANON.c.occupation_code,
                _CANON.c.place_id,
            )
            .distinct()
            .select_from(_CANON)
            .join(_SKILL, _SKILL.c.posting_id == _CANON.c.posting_id)
            .join(
                _CONCEPT,
                and_(_CONCEPT.c.org_id == _CANON.c.org_id, _CONCEPT.c.concept_id == _SKILL.c.concept_id),
            )
            .where(*scope_canon),
        )
    )
