"""Demand rollups rebuilt from the raw postings and mentions (`skillpulse drift rebuild-rollups`, and the first
drift run of an organisation without rollups), in set-based SQL linear in the rows; service/demand/rollups.py
says what is counted, service/demand/rollup_store.py keeps the rollups as postings change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import case, delete, exists, func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.models import DemandCanon, DemandCode, DemandMonth, DemandRollup
from service.demand.month_rebuild import rebuild_months
from service.demand.partitions import ensure_months
from service.demand.rollup_store import ROLLUP_KEY, place_ids
from service.demand.rollups import TOTAL, place_key
from service.postings.models import Posting, PostingSkill

Progress = Callable[[str], None]
REBUILD_WORK_MEM = "256MB"  # PostgreSQL, for the rebuild's transaction only

_CANON = DemandCanon.__table__  # type: ignore[attr-defined]
_ROLLUP = DemandRollup.__table__  # type: ignore[attr-defined]
_CODE = DemandCode.__table__  # type: ignore[attr-defined]
_POSTING = Posting.__table__  # type: ignore[attr-defined]
_SKILL = PostingSkill.__table__  # type: ignore[attr-defined]
_PK = ROLLUP_KEY
_MONTH = DemandMonth.__table__  # type: ignore[attr-defined]
_TABLES = ("demand_canon", "demand_rollup", "demand_place", "demand_code")


async def ensure_rollups(session: AsyncSession, org_id: int, progress: Progress | None = None) -> bool:
    """Build an organisation's rollups if it has countable postings but nothing counted yet (the first run
    after the upgrade that added them); True when it did."""
    counted = await session.scalar(select(exists().where(_MONTH.c.org_id == org_id)))  # 0015 added months
    if counted:
        return False
    countable = await session.scalar(
        select(exists().where(_POSTING.c.org_id == org_id, _POSTING.c.extraction_status == "done"))
    )
    if not countable:
        return False
    await rebuild(session, org_id, progress)
    return True


async def rebuild(session: AsyncSession, org_id: int | None = None, progress: Progress | None = None) -> dict:
    """Recount the rollups of one organisation (or all) from postings and mentions, in set-based SQL that is
    linear in the rows: one window-function pass picks the canonical postings, one grouped join counts."""
    say = progress or (lambda _message: None)
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("LOCK TABLE demand_canon IN EXCLUSIVE MODE"))
        # the month sums and the mention index group millions of rows: in memory rather than in sort files
        await session.execute(text(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'"))
    scope_canon = [_CANON.c.org_id == org_id] if org_id is not None else []
    await session.execute(delete(_CANON).where(*scope_canon))
    await session.execute(
        delete(_ROLLUP).where(*([_ROLLUP.c.org_id == org_id] if org_id is not None else []))
    )
    counted = await _rebuild_canon(session, org_id, say)
    say(f"canonical postings: {counted:,}")
    days = await session.scalars(select(_CANON.c.day).distinct().where(*scope_canon))
    await ensure_months(session, list(days))
    await session.execute(delete(_CODE).where(*([_CODE.c.org_id == org_id] if org_id is not None else [])))
    await session.execute(
        insert(_CODE).from_select(
            ["org_id", "occupation_code"],
            select(_CANON.c.org_id, _CANON.c.occupation_code).distinct().where(*scope_canon),
        )
    )
    await session.execute(
        insert(_ROLLUP).from_select(
            [*_PK, "concept_label", "postings", "required", "preferred"],
            select(
                _CANON.c.org_id,
                _CANON.c.day,
                _CANON.c.occupation_code,
                _CANON.c.place_id,
                literal(TOTAL),
                literal(None),
                func.count(),
                literal(0),
                literal(0),
            )
            .where(*scope_canon)
            .group_by(_CANON.c.org_id, _CANON.c.day, _CANON.c.occupation_code, _CANON.c.place_id),
        )
    )
    say("total rows counted")
    await session.execute(
        insert(_ROLLUP).from_select(
            [*_PK, "concept_label", "postings", "required", "preferred"], _concept_rows(scope_canon)
        )
    )
    rows = await session.scalar(
        select(func.count())
        .select_from(_ROLLUP)
        .where(*([_ROLLUP.c.org_id == org_id] if org_id is not None else []))
    )
    say(f"rollup rows: {int(rows or 0):,}")
    await rebuild_months(session, org_id)
    say("month rows and the mention index rebuilt")
    if session.get_bind().dialect.name == "postgresql":  # fresh statistics: without, it plans nested loops
        for table in (*_TABLES, "demand_concept", "demand_month", "demand_mention"):
            await session.execute(text(f"ANALYZE {table}"))
    return {"canonical": counted, "rollup_rows": int(rows or 0)}


def _concept_rows(scope_canon: list) -> Any:
    """Per (org, day, code, place, concept) the canonical postings naming it: all, requiring, preferring."""

    def posting_if(level: str) -> Any:
        return func.count(func.distinct(case((_SKILL.c.requirement == level, _SKILL.c.posting_id))))

    return (
        select(
            _CANON.c.org_id,
            _CANON.c.day,
            _CANON.c.occupation_code,
            _CANON.c.place_id,
            _SKILL.c.concept_id,
            func.max(_SKILL.c.concept_label),
            func.count(func.distinct(_SKILL.c.posting_id)),
            posting_if("required"),
            posting_if("preferred"),
        )
        .select_from(_CANON)
        .join(_SKILL, _SKILL.c.posting_id == _CANON.c.posting_id)
        .where(*scope_canon, _SKILL.c.concept_id.is_not(None))
        .group_by(
            _CANON.c.org_id, _CANON.c.day, _CANON.c.occupation_code, _CANON.c.place_id, _SKILL.c.concept_id
        )
    )


async def _rebuild_canon(session: AsyncSession, org_id: int | None, say: Progress) -> int:
    """demand_canon from one ordered pass: row_number() per (org, fingerprint) by (posted date, id)."""
    countable = [
        _POSTING.c.extraction_status == "done",
        _POSTING.c.posted_at.is_not(None),
        _POSTING.c.occupation_code.is_not(None),
        _POSTING.c.occupation_code != "",
        *([_POSTING.c.org_id == org_id] if org_id is not None else []),
    ]
    rank = func.row_number().over(
        partition_by=(_POSTING.c.org_id, _POSTING.c.content_hash),
        order_by=(_POSTING.c.posted_at, _POSTING.c.id),
    )
    ranked = (
        select(
            _POSTING.c.id,
            _POSTING.c.org_id,
            _POSTING.c.content_hash,
            _POSTING.c.posted_at,
            _POSTING.c.occupation_code,
            _POSTING.c.geo,
            rank.label("rn"),
        )
        .where(*countable)
        .subquery()
    )
    stream = await session.stream(select(*[c for c in ranked.c if c.name != "rn"]).where(ranked.c.rn == 1))
    places: dict[tuple[int, str], int] = {}
    done = 0
    async for batch in stream.partitions(10_000):
        todo = [(org, geo) for _id, org, _h, _d, _o, geo in batch if (org, place_key(geo)) not in places]
        if todo:
            places.update(await place_ids(session, todo))
        rows = [
            {
                "org_id": org,
                "content_hash": h,
                "posting_id": pid,
                "day": day,
                "occupation_code": occ,
                "place_id": places[(org, place_key(geo))],
            }
            for pid, org, h, day, occ, geo in batch
        ]
        await session.execute(insert(_CANON), rows)
        done += len(rows)
        say(f"canonical postings: {done:,}")
    return done
