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

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import case, delete, func, insert, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.models import DemandCanon, DemandCode, DemandPlace, DemandRollup
from service.demand.partitions import ensure_months
from service.demand.rollup_months import add_mentions, drop_mentions, write_month_deltas
from service.demand.rollups import (
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
ROLLUP_KEY = ["org_id", "day", "occupation_code", "place_id", "concept_id"]
_PK = ROLLUP_KEY
_CHUNK = 500


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
    await drop_mentions(session, [c.posting_id for c in canons])
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
    await add_mentions(session, [(c, flags.get(c.posting_id, ())) for c in canons])
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
    await ensure_months(session, {key[1] for key in deltas})
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
    await write_month_deltas(session, deltas)


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
