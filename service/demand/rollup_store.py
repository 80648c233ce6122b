"""Demand rollups, the I/O: upkeep in the transaction that changes postings or mentions, and the rebuild.

Upkeep is "recompute the fingerprints touched": `retract` (before the change) takes away the counted
contribution of each touched fingerprint and `restore` (after it) adds back the contribution of its canonical
posting as it now stands (service/demand/rollups.py); both in the caller's transaction, so the rollups and
the mentions commit together. Each touched fingerprint is small, bounded work: its postings and the mentions
of one posting.

Concurrent workers on PostgreSQL: `retract` takes a transaction-level advisory lock per fingerprint (in sorted
order), so two transactions touching the same fingerprint take turns, and the second recounts from what the
first committed. Should one still meet a fingerprint counted meanwhile (a fingerprint reached only through a
posting's old content), its insert fails on demand_canon's primary key and the batch is retried: never counted
twice. `rebuild` locks demand_canon for its whole transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import case, delete, exists, func, insert, literal, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.models import DemandCanon, DemandCode, DemandPlace, DemandRollup
from service.demand.rollups import (
    TOTAL,
    Candidate,
    Canon,
    ConceptFlags,
    Delta,
    Key,
    RollupKey,
    add_contribution,
    canonical,
    lock_id,
    net,
    normal_geo,
    place_key,
)
from service.postings.models import Posting, PostingSkill

_CANON = DemandCanon.__table__  # type: ignore[attr-defined]
_ROLLUP = DemandRollup.__table__  # type: ignore[attr-defined]
_PLACE = DemandPlace.__table__  # type: ignore[attr-defined]
_CODE = DemandCode.__table__  # type: ignore[attr-defined]
_POSTING = Posting.__table__  # type: ignore[attr-defined]
_SKILL = PostingSkill.__table__  # type: ignore[attr-defined]
_PK = ["org_id", "day", "occupation_code", "place_id", "concept_id"]
_CHUNK = 500

Progress = Callable[[str], None]


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def retract(
    session: AsyncSession, keys: Iterable[Key], posting_ids: Sequence[int] = ()
) -> tuple[set[Key], dict[RollupKey, Delta]]:
    """Take away the counts of the fingerprints `keys` and of those counted at `posting_ids`; returns every
    fingerprint touched and the (negative) deltas, which `restore` completes and writes.

    Call it before the mentions change: it reads the counted postings' mentions as they were.
    """
    wanted = sorted(set(keys))
    touched: set[Key] = set(wanted)
    canons: list[Canon] = []
    await _lock_fingerprints(session, wanted)
    conds = [tuple_(_CANON.c.org_id, _CANON.c.content_hash).in_(chunk) for chunk in _chunks(wanted)]
    conds += [_CANON.c.posting_id.in_(list(chunk)) for chunk in _chunks(sorted(set(posting_ids)))]
    for cond in conds:  # a write first: on SQLite it takes the write lock before anything is read
        rows = await session.execute(
            delete(_CANON)
            .where(cond)
            .returning(
                _CANON.c.org_id,
                _CANON.c.content_hash,
                _CANON.c.posting_id,
                _CANON.c.day,
                _CANON.c.occupation_code,
                _CANON.c.place_id,
            )
        )
        canons += [Canon(*row) for row in rows.tuples()]
    deltas: dict[RollupKey, Delta] = {}
    flags = await _concept_flags(session, [c.posting_id for c in canons])
    for canon in canons:
        touched.add((canon.org_id, canon.content_hash))
        add_contribution(deltas, canon, flags.get(canon.posting_id, ()), -1)
    return touched, deltas


async def _lock_fingerprints(session: AsyncSession, keys: Sequence[Key]) -> None:
    """PostgreSQL: a transaction-level advisory lock per fingerprint, taken in one sorted order, so two
    workers touching the same fingerprint take turns (the second then sees what the first committed)."""
    if not keys or session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted({lock_id(key) for key in keys})
    await session.execute(
        text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:ids AS bigint[])) AS t(k)"),
        {"ids": ids},
    )


async def restore(session: AsyncSession, touched: set[Key], deltas: dict[RollupKey, Delta]) -> None:
    """Count each touched fingerprint at its canonical posting as it now stands, and write the net change."""
    candidates: list[Candidate] = []
    for chunk in _chunks(sorted(touched)):
        rows = await session.execute(
            select(
                _POSTING.c.id,
                _POSTING.c.org_id,
                _POSTING.c.content_hash,
                _POSTING.c.posted_at,
                _POSTING.c.occupation_code,
                _POSTING.c.extraction_status,
                _POSTING.c.geo,
            ).where(tuple_(_POSTING.c.org_id, _POSTING.c.content_hash).in_(chunk))
        )
        candidates += [Candidate(*row) for row in rows.tuples()]
    best = canonical(candidates)
    places = await place_ids(session, [(c.org_id, c.geo) for c in best.values()])
    canons = [c.counted_at(places[(c.org_id, place_key(c.geo))]) for c in best.values()]
    if canons:
        await session.execute(insert(_CANON), [_canon_row(c) for c in canons])
        codes = sorted({(c.org_id, c.occupation_code) for c in canons})
        await session.execute(
            _insert(session)(_CODE).on_conflict_do_nothing(),
            [{"org_id": org, "occupation_code": code} for org, code in codes],
        )
    flags = await _concept_flags(session, [c.posting_id for c in canons])
    for canon in canons:
        add_contribution(deltas, canon, flags.get(canon.posting_id, ()), 1)
    await write_deltas(session, net(deltas))


def _canon_row(c: Canon) -> dict:
    return {
        "org_id": c.org_id,
        "content_hash": c.content_hash,
        "posting_id": c.posting_id,
        "day": c.day,
        "occupation_code": c.occupation_code,
        "place_id": c.place_id,
    }


async def _concept_flags(session: AsyncSession, posting_ids: Sequence[int]) -> dict[int, list[ConceptFlags]]:
    """Per posting, its concepts with their label and whether a mention is required / preferred."""
    out: dict[int, list[ConceptFlags]] = {}
    flag = lambda level: func.max(case((_SKILL.c.requirement == level, 1), else_=0))  # noqa: E731
    for chunk in _chunks(sorted(set(posting_ids))):
        rows = await session.execute(
            select(
                _SKILL.c.posting_id,
                _SKILL.c.concept_id,
                func.max(_SKILL.c.concept_label),
                flag("required"),
                flag("preferred"),
            )
            .where(_SKILL.c.posting_id.in_(list(chunk)), _SKILL.c.concept_id.is_not(None))
            .group_by(_SKILL.c.posting_id, _SKILL.c.concept_id)
        )
        for pid, cid, label, req, pref in rows.tuples():
            out.setdefault(int(pid), []).append(ConceptFlags(cid, label, bool(req), bool(pref)))
    return out


async def place_ids(
    session: AsyncSession, geos: Sequence[tuple[int, dict | None]]
) -> dict[tuple[int, str], int]:
    """The place id of each (organisation, geo), adding the places not seen before."""
    wanted = {(org_id, place_key(geo)): normal_geo(geo) for org_id, geo in geos}
    if not wanted:
        return {}
    ins = _insert(session)(_PLACE).on_conflict_do_nothing(index_elements=["org_id", "key"])
    rows = [{"org_id": org, "key": key, "geo": geo} for (org, key), geo in sorted(wanted.items())]
    await session.execute(ins, rows)
    out: dict[tuple[int, str], int] = {}
    for chunk in _chunks(sorted(wanted)):
        found = await session.execute(
            select(_PLACE.c.org_id, _PLACE.c.key, _PLACE.c.id).where(
                tuple_(_PLACE.c.org_id, _PLACE.c.key).in_(chunk)
            )
        )
        out.update({(org, key): pid for org, key, pid in found.tuples()})
    return out


async def write_deltas(session: AsyncSession, deltas: dict[RollupKey, Delta]) -> None:
    """Add the deltas to the rollup rows (in key order, so concurrent writers lock rows in one order) and
    drop the rows they bring to zero."""
    if not deltas:
        return
    ins = _insert(session)(_ROLLUP)
    pg = session.get_bind().dialect.name == "postgresql"
    greatest = func.greatest if pg else func.max
    old_label, new_label = _ROLLUP.c.concept_label, ins.excluded.concept_label
    stmt = ins.on_conflict_do_update(
        index_elements=_PK,
        set_={
            "postings": _ROLLUP.c.postings + ins.excluded.postings,
            "required": _ROLLUP.c.required + ins.excluded.required,
            "preferred": _ROLLUP.c.preferred + ins.excluded.preferred,
            "concept_label": greatest(
                func.coalesce(old_label, new_label), func.coalesce(new_label, old_label)
            ),
        },
    )
    keys = sorted(deltas)
    rows = [dict(zip(_PK, key, strict=True)) | _delta_values(deltas[key]) for key in keys]
    for chunk in _chunks(rows, 2000):
        await session.execute(stmt, list(chunk))
    emptied = [key for key in keys if deltas[key].postings < 0]
    for chunk in _chunks(emptied):
        await session.execute(
            delete(_ROLLUP).where(
                tuple_(*(_ROLLUP.c[name] for name in _PK)).in_(chunk), _ROLLUP.c.postings <= 0
            )
        )


def _delta_values(d: Delta) -> dict:
    return {
        "postings": d.postings,
        "required": d.required,
        "preferred": d.preferred,
        "concept_label": d.label,
    }


async def upkeep_postings(
    session: AsyncSession, posting_ids: Sequence[int], keys: Iterable[Key] = ()
) -> None:
    """Recompute, in one go, the fingerprints of postings whose counted fields changed without their
    mentions changing (a failed mark, an update of date or place)."""
    found = await session.execute(
        select(_POSTING.c.org_id, _POSTING.c.content_hash).where(_POSTING.c.id.in_(list(posting_ids)))
    )
    touched, deltas = await retract(session, {*keys, *found.tuples()}, posting_ids)
    await restore(session, touched, deltas)


async def ensure_rollups(session: AsyncSession, org_id: int, progress: Progress | None = None) -> bool:
    """Build an organisation's rollups if it has countable postings but nothing counted yet (the first run
    after the upgrade that added them); True when it did."""
    counted = await session.scalar(select(exists().where(_CANON.c.org_id == org_id)))
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
    scope_canon = [_CANON.c.org_id == org_id] if org_id is not None else []
    await session.execute(delete(_CANON).where(*scope_canon))
    await session.execute(
        delete(_ROLLUP).where(*([_ROLLUP.c.org_id == org_id] if org_id is not None else []))
    )
    counted = await _rebuild_canon(session, org_id, say)
    say(f"canonical postings: {counted:,}")
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
    if session.get_bind().dialect.name == "postgresql":  # fresh statistics: without, it plans nested loops
        for table in ("demand_canon", "demand_rollup", "demand_place", "demand_code"):
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
