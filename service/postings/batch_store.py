"""One extraction batch in the database: claiming pending postings and storing what was extracted from them
(mentions, posting marks) together with the demand rollups' upkeep, in the caller's transaction
(service/postings/worker.py runs the batches)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.demand.rollup_store import restore, retract
from service.postings.extraction import Outcome
from service.postings.models import Posting, PostingSkill

# bench/bench_postings.py --no-upkeep sets it in its workers, to measure what the rollups' upkeep costs. Never
# in production: the demand rollups would stop counting what the worker stores.
SKIP_UPKEEP = "SKILLPULSE_BENCH_SKIP_ROLLUP_UPKEEP"

_POSTING = Posting.__table__  # type: ignore[attr-defined]
_SKILL = PostingSkill.__table__  # type: ignore[attr-defined]
SKILL_COLUMNS = (
    "org_id",
    "posting_id",
    "start",
    "end",
    "text",
    "kind",
    "concept_id",
    "concept_label",
    "score",
    "requirement",
)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    org_id: int
    title: str
    text: str
    content_hash: str
    occupation_source: str | None
    occupation_code: str | None


async def claim(session: AsyncSession, limit: int, postgres: bool, only: int | None = None) -> list[Claimed]:
    query = (
        select(
            _POSTING.c.id,
            _POSTING.c.org_id,
            _POSTING.c.title,
            _POSTING.c.text,
            _POSTING.c.content_hash,
            _POSTING.c.occupation_source,
            _POSTING.c.occupation_code,
        )
        .where(_POSTING.c.extraction_status == "pending")
        .order_by(_POSTING.c.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(_POSTING.c.id == only)
    if postgres:
        query = query.with_for_update(skip_locked=True)
    rows = await session.execute(query)
    return [Claimed(*row) for row in rows.tuples()]


async def _copy_mentions(session: AsyncSession, rows: list[tuple]) -> None:
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None  # a pooled connection in use always has its asyncpg connection
    await raw.copy_records_to_table("posting_skill", records=rows, columns=list(SKILL_COLUMNS))


@dataclass(slots=True)
class _Rows:
    """What one batch writes: its mention rows and the posting marks (with and without a coded occupation)."""

    mentions: list[tuple]
    plain: list[dict]
    coded: list[dict]


def _batch_rows(
    claimed: list[Claimed], outcomes: list[Outcome], still: dict[int, str], version: str
) -> _Rows:
    """The rows of the outcomes whose posting is still pending with the content that was extracted."""
    by_id = {c.id: c for c in claimed}
    now = utcnow()
    rows = _Rows([], [], [])
    for outcome in outcomes:
        posting = by_id[outcome.posting_id]
        if still.get(posting.id) != posting.content_hash:
            continue  # changed or taken care of meanwhile: it stays for the next batch
        rows.mentions.extend((posting.org_id, posting.id, *m) for m in outcome.mentions)
        values = {
            "b_id": posting.id,
            "status": "failed" if outcome.error else "done",
            "version": version,
            "error": outcome.error,
            "at": now,
        }
        if outcome.occupation is not None and posting.occupation_source != "given":
            rows.coded.append(values | {"code": outcome.occupation[0], "label": outcome.occupation[1][:300]})
        else:
            rows.plain.append(values)
    return rows


async def _write_mentions(session: AsyncSession, mention_rows: list[tuple], postgres: bool) -> None:
    if not mention_rows:
        return
    if postgres:
        await _copy_mentions(session, mention_rows)
    else:
        await session.execute(
            insert(_SKILL), [dict(zip(SKILL_COLUMNS, r, strict=True)) for r in mention_rows]
        )


async def _mark_postings(session: AsyncSession, rows: _Rows) -> None:
    """Each stored posting's status, extractor version and error (and its coded occupation)."""
    marks: dict[str, Any] = {
        "extraction_status": bindparam("status"),
        "extraction_version": bindparam("version"),
        "extraction_error": bindparam("error"),
        "extracted_at": bindparam("at"),
    }
    stmt = update(_POSTING).where(_POSTING.c.id == bindparam("b_id"))
    if rows.plain:
        await session.execute(stmt.values(**marks), rows.plain)
    if rows.coded:
        await session.execute(
            stmt.values(
                **marks,
                occupation_code=bindparam("code"),
                occupation_label=bindparam("label"),
                occupation_source="coded",
            ),
            rows.coded,
        )


async def store(
    session: AsyncSession, claimed: list[Claimed], version: str, outcomes: list[Outcome], postgres: bool
) -> int:
    ids = [c.id for c in claimed]
    # The rollups' retract comes first: it starts with a write, so on SQLite it takes the write lock before
    # anything reads, and it reads the counted mentions before they are replaced.
    upkeep = os.environ.get(SKIP_UPKEEP) != "1"
    keys = {(c.org_id, c.content_hash) for c in claimed}
    touched, deltas = await retract(session, keys, ids) if upkeep else (set(), {})
    await session.execute(delete(_SKILL).where(_SKILL.c.posting_id.in_(ids)))
    current = await session.execute(
        select(_POSTING.c.id, _POSTING.c.content_hash).where(
            _POSTING.c.id.in_(ids), _POSTING.c.extraction_status == "pending"
        )
    )
    rows = _batch_rows(claimed, outcomes, dict(current.tuples().all()), version)
    await _write_mentions(session, rows.mentions, postgres)
    await _mark_postings(session, rows)
    if upkeep:
        await restore(session, touched, deltas)  # the rollups, in the same transaction as the mentions
    return len(rows.plain) + len(rows.coded)
