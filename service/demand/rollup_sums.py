"""Signed sums of the month rollups and the day rows at a read's edges (service/demand/month_pieces.py),
per (occupation code, bucket, concept key), fetched as NumPy arrays: one statement for a whole drift run's
region or a demand series. On PostgreSQL the rows come back aggregated into arrays, one row per (code,
bucket); on SQLite row by row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, literal, select, union_all
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


def _month_part(org_id: int, codes, places, pieces: Pieces, by_code: bool):  # noqa: ANN001, ANN202
    bucket = case(
        *((_M.c.month == month, literal(name)) for month, name in sorted(pieces.months.items()))
    ).label("bucket")
    code = _M.c.occupation_code if by_code else literal("")
    return select(
        code.label("code"), bucket, _M.c.concept.label("concept"), *(_M.c[m].label(m) for m in MEASURES)
    ).where(*_filters(_M, org_id, codes, places), _M.c.month.in_(sorted(pieces.months)))


def _day_parts(org_id: int, codes, places, pieces: Pieces, by_code: bool) -> list:  # noqa: ANN001
    """One select per day piece (pieces may cover the same days for two buckets, with opposite signs)."""
    code = _R.c.occupation_code if by_code else literal("")
    return [
        select(
            code.label("code"),
            literal(name).label("bucket"),
            func.coalesce(_C.c.id, literal(TOTAL_KEY)).label("concept"),
            *((literal(sign) * _R.c[m]).label(m) for m in MEASURES),
        )
        .select_from(_R)
        .outerjoin(_C, and_(_C.c.org_id == _R.c.org_id, _C.c.concept_id == _R.c.concept_id))
        .where(*_filters(_R, org_id, codes, places), _R.c.day >= lo, _R.c.day <= hi)
        for lo, hi, name, sign in pieces.days
    ]


async def signed_sums(
    session: AsyncSession,
    org_id: int,
    pieces: Pieces,
    codes: Sequence[str] | None,
    places: tuple[int, ...] | None,
    by_code: bool = True,
) -> dict[tuple[str, str], Sums]:
    """Per (code, bucket) (code '' unless `by_code`), the summed counts of every concept key with any."""
    parts = []
    if pieces.months:
        parts.append(_month_part(org_id, codes, places, pieces, by_code))
    parts += _day_parts(org_id, codes, places, pieces, by_code)
    if not parts or codes == [] or places == ():
        return {}
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("pieces")
    grouped = select(
        rows.c.code, rows.c.bucket, rows.c.concept, *(func.sum(rows.c[m]).label(m) for m in MEASURES)
    ).group_by(rows.c.code, rows.c.bucket, rows.c.concept)
    out: dict[tuple[str, str], Sums] = {}
    if session.get_bind().dialect.name == "postgresql":
        g = grouped.subquery("grouped")
        arrays = await session.execute(
            select(
                g.c.code, g.c.bucket, func.array_agg(g.c.concept), *(func.array_agg(g.c[m]) for m in MEASURES)
            ).group_by(g.c.code, g.c.bucket)
        )
        for code, bucket, keys, *measures in arrays.tuples():
            out[(code, bucket)] = Sums(np.asarray(keys, dtype=np.int64), np.asarray(measures, dtype=np.int64))
        return out
    collected: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
    for code, bucket, concept, postings, required, preferred in (await session.execute(grouped)).tuples():
        collected.setdefault((code, bucket), []).append((concept, postings, required, preferred))
    for key, found in collected.items():
        table = np.asarray(found, dtype=np.int64).reshape(-1, 4)
        out[key] = Sums(table[:, 0].copy(), table[:, 1:].T.copy())
    return out


async def concept_names(session: AsyncSession, org_id: int, keys: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(concept id, label) of each concept key (its id when it has no label)."""
    out: dict[int, tuple[str, str]] = {}
    wanted = sorted({int(k) for k in keys if k != TOTAL_KEY})
    for i in range(0, len(wanted), 500):
        rows = await session.execute(
            select(_C.c.id, _C.c.concept_id, _C.c.label).where(
                _C.c.org_id == org_id, _C.c.id.in_(wanted[i : i + 500])
            )
        )
        out.update({key: (cid, label or cid) for key, cid, label in rows.tuples()})
    return out
