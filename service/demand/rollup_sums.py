"""Signed sums of the month rollups and the day rows at a read's edges (service/demand/month_pieces.py),
per (occupation code, bucket, concept key), fetched as NumPy arrays: one statement for a whole drift run's
region or a demand series. On PostgreSQL the rows come back aggregated, one packed bytea per (code,
month or day piece); on SQLite row by row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, LargeBinary, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.models import DemandConcept, DemandMonth, DemandRollup
from service.demand.month_pieces import Pieces
from service.demand.rollup_months import TOTAL_KEY

_R = DemandRollup.__table__  # type: ignore[attr-defined]
_M = DemandMonth.__table__  # type: ignore[attr-defined]
_C = DemandConcept.__table__  # type: ignore[attr-defined]
MEASURES = ("postings", "required", "preferred")


@dataclass(slots=True)
class Sums:
    """One (code, bucket): concept keys (0 the total) and their [postings, required, preferred] counts."""

    keys: np.ndarray  # int64 [n]
    counts: np.ndarray  # int64 [3, n]

    def total(self) -> int:
        at = np.flatnonzero(self.keys == TOTAL_KEY)
        return int(self.counts[0, at].sum()) if at.size else 0


def _filters(table, org_id: int, codes: Sequence[str] | None, places: tuple[int, ...] | None) -> list:  # noqa: ANN001
    conds: list[ColumnElement[bool]] = [table.c.org_id == org_id]
    if codes is not None:
        conds.append(table.c.occupation_code.in_(list(codes)))
    if places is not None:
        conds.append(table.c.place_id.in_(list(places)))
    return conds


def _packed(columns: Sequence[ColumnElement], wide: bool) -> ColumnElement:
    """PostgreSQL: the rows' (key, postings, required, preferred) as one bytea of big-endian integers (int8
    when `wide`, else int4), read by `_unpacked`: cheaper for the database to build and send than four integer
    arrays, and NumPy reads it without a Python object per value."""
    send = func.int8send if wide else func.int4send
    row: ColumnElement = send(columns[0])
    for column in columns[1:]:
        row = row.op("||")(send(column))
    return func.string_agg(row, literal(b"", LargeBinary), type_=LargeBinary)


def _unpacked(blob: bytes, wide: bool) -> np.ndarray:
    """The [4, n] int64 table of a `_packed` bytea: keys, then the three measures."""
    return np.frombuffer(blob, dtype=">i8" if wide else ">i4").reshape(-1, 4).T.astype(np.int64)


def _month_part(org_id: int, codes, places, pieces: Pieces, by_code: bool, pg: bool):  # noqa: ANN001, ANN202
    """The month rows of the pieces' whole months, per (code, month): packed on PostgreSQL (the sums are
    NumPy's: grouping hundreds of thousands of rows by concept costs the database several times more)."""
    code = _M.c.occupation_code if by_code else literal("")
    where = [*_filters(_M, org_id, codes, places), _M.c.month.in_(sorted(pieces.months))]
    if pg:
        packed = _packed([_M.c.concept, *(_M.c[m] for m in MEASURES)], wide=False)
        return select(code, _M.c.month, packed).where(*where).group_by(code, _M.c.month)
    return select(code, _M.c.month, _M.c.concept, *(_M.c[m] for m in MEASURES)).where(*where)


def _day_part(org_id: int, codes, places, piece: tuple, by_code: bool, pg: bool):  # noqa: ANN001, ANN202
    """The day rows of one piece summed per (code, concept key)."""
    lo, hi, _name, _sign = piece
    code = (_R.c.occupation_code if by_code else literal("")).label("code")
    concept = func.coalesce(_C.c.id, literal(TOTAL_KEY)).label("concept")
    grouped = (
        select(code, concept, *(func.sum(_R.c[m]).label(m) for m in MEASURES))
        .select_from(_R)
        .outerjoin(_C, and_(_C.c.org_id == _R.c.org_id, _C.c.concept_id == _R.c.concept_id))
        .where(*_filters(_R, org_id, codes, places), _R.c.day >= lo, _R.c.day <= hi)
        .group_by(code, concept)
    )
    if not pg:
        return grouped
    g = grouped.subquery("day_piece")  # sums are bigint: packed wide
    return select(g.c.code, _packed([g.c.concept, *(g.c[m] for m in MEASURES)], wide=True)).group_by(g.c.code)


@dataclass(slots=True)
class _Collected:
    """Signed (code, bucket, key, postings, required, preferred) parts, summed at the end."""

    parts: dict[tuple[str, str], list[np.ndarray]]

    def add(self, code: str, bucket: str, keys: Any, measures: Any, sign: int) -> None:
        table = np.vstack([np.asarray(keys, dtype=np.int64), sign * np.asarray(measures, dtype=np.int64)])
        self.parts.setdefault((code, bucket), []).append(table)

    def add_packed(self, code: str, bucket: str, blob: bytes, wide: bool, sign: int) -> None:
        table = _unpacked(blob, wide)
        if sign != 1:
            table[1:] *= sign
        self.parts.setdefault((code, bucket), []).append(table)

    def sums(self) -> dict[tuple[str, str], Sums]:
        out: dict[tuple[str, str], Sums] = {}
        for key, tables in self.parts.items():
            table = tables[0] if len(tables) == 1 else np.hstack(tables)
            out[key] = _summed(table)
        return out


def _summed(table: np.ndarray) -> Sums:
    """Each key's summed measures, keys ascending. Keys are small integers (an organisation's concept keys),
    so a histogram over them replaces np.unique's sort while they are dense enough."""
    if table[0].size and 0 <= table[0].min() and table[0].max() < 4 * table[0].size + 4096:
        keys = np.flatnonzero(np.bincount(table[0]))
        at = np.empty(int(table[0].max()) + 1, dtype=np.int64)
        at[keys] = np.arange(keys.size)
        at = at[table[0]]
    else:
        keys, at = np.unique(table[0], return_inverse=True)
    counts = np.zeros((3, keys.size), dtype=np.int64)
    for m in range(3):
        counts[m] = np.bincount(at, weights=table[m + 1], minlength=keys.size).astype(np.int64)
    return Sums(keys, counts)


async def signed_sums(
    session: AsyncSession,
    org_id: int,
    pieces: Pieces,
    codes: Sequence[str] | None,
    places: tuple[int, ...] | None,
    by_code: bool = True,
) -> dict[tuple[str, str], Sums]:
    """Per (code, bucket) (code '' unless `by_code`), the summed counts of every concept key with any."""
    if codes == [] or places == ():
        return {}
    pg = session.get_bind().dialect.name == "postgresql"
    collected = _Collected({})
    if pieces.months:
        rows = await session.execute(_month_part(org_id, codes, places, pieces, by_code, pg))
        if pg:
            for code, month, blob in rows.tuples():
                collected.add_packed(code, pieces.months[month], blob, False, 1)
        else:
            _add_rows(collected, [(c, pieces.months[_day(m)], *rest) for c, m, *rest in rows.tuples()], 1)
    for piece in pieces.days:
        rows = await session.execute(_day_part(org_id, codes, places, piece, by_code, pg))
        if pg:
            for code, blob in rows.tuples():
                collected.add_packed(code, piece[2], blob, True, piece[3])
        else:
            _add_rows(collected, [(c, piece[2], *rest) for c, *rest in rows.tuples()], piece[3])
    return collected.sums()


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _add_rows(collected: _Collected, rows: list[tuple], sign: int) -> None:
    """SQLite: (code, bucket, key, postings, required, preferred) rows."""
    grouped: dict[tuple[str, str], list[list]] = {}
    for code, bucket, *rest in rows:
        grouped.setdefault((code, bucket), []).append(rest)
    for (code, bucket), found in grouped.items():
        table = np.asarray(found, dtype=np.int64).reshape(-1, 4).T
        collected.add(code, bucket, table[0], table[1:], sign)


async def concept_names(
    session: AsyncSession, org_id: int, keys: Sequence[int]
) -> dict[int, tuple[str, str]]:
    """(concept id, label) of each concept key (its id when it has no label). Many keys: the organisation's
    whole list in one statement (cheaper than hundreds of bound parameters)."""
    wanted = sorted({int(k) for k in keys if k != TOTAL_KEY})
    if not wanted:
        return {}
    stmt = select(_C.c.id, _C.c.concept_id, _C.c.label).where(_C.c.org_id == org_id)
    if len(wanted) <= 200:
        stmt = stmt.where(_C.c.id.in_(wanted))
    rows = await session.execute(stmt)
    return {key: (cid, label or cid) for key, cid, label in rows.tuples()}
