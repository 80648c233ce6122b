"""A drift run's counts read from the demand rollups instead of the raw mentions.

Totals and concept counts are sums of rollup rows (service/demand/rollups.py says what a row counts), over
the run's days, the codes wanted and the places within each credential's service region; they equal
service/demand/run_counts.py over the raw postings. Competency counts still join mentions, but only those of
the canonical postings of the range (demand_canon): a posting naming two concepts of one competency counts
once, which no per-concept sum can tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.credentials.models import Credential
from service.demand.aggregation import BucketCounts, ConceptCount, Scope, occupation_condition
from service.demand.concept_arrays import WINDOWS, ConceptIndex
from service.demand.mention_counts import CoveringLinks, mention_competency_counts
from service.demand.models import DemandCode, DemandPlace
from service.demand.month_pieces import month_buckets, window_buckets
from service.demand.month_pieces import pieces as month_pieces
from service.demand.rollup_months import TOTAL_KEY
from service.demand.rollup_sums import Sums, concept_names, signed_sums
from service.demand.run_counts import RunCounts, matching_codes
from service.demand.run_regions import CredentialCounts
from service.geo import allows_region, region_match
from service.settings import DriftSettings


@dataclass(frozen=True, slots=True)
class Span:
    """Which rollup rows a read sums: an organisation's days, and the places of a region (None: all)."""

    org_id: int
    start: date
    end: date
    places: tuple[int, ...] | None = None

    def where(self, table) -> list[ColumnElement[bool]]:  # noqa: ANN001 - demand_rollup or demand_canon
        conds = [table.c.org_id == self.org_id, table.c.day >= self.start, table.c.day <= self.end]
        if self.places is not None:
            conds.append(table.c.place_id.in_(self.places))
        return conds


async def region_places(session: AsyncSession, org_id: int, region: Sequence[str]) -> tuple[int, ...] | None:
    """The organisation's places within the region (service.geo.allows_region on each place); None for no
    region, meaning every place."""
    if not region:
        return None
    match = region_match(tuple(sorted(region)))
    rows = await session.execute(
        select(col(DemandPlace.id), col(DemandPlace.geo))
        .where(col(DemandPlace.org_id) == org_id)
        .order_by(col(DemandPlace.id))
    )
    return tuple(pid for pid, geo in rows.tuples() if allows_region(geo, match))


def _keys_of(sums: dict[tuple[str, str], Sums]) -> list[int]:
    return np.unique(np.concatenate([s.keys for s in sums.values()])).tolist() if sums else []


def _index_of(
    sums: dict[tuple[str, str], Sums], codes: Sequence[str], names: dict[int, tuple[str, str]]
) -> tuple[ConceptIndex, np.ndarray]:
    """The region's concept index (sorted by concept id, as concept_arrays.region_index) over the concepts
    any of `codes` counts, and a lookup from concept key to index position (-1: not in it)."""
    keys: set[int] = set()
    for (code, _bucket), found in sums.items():
        if code in codes:
            keys.update(found.keys[(found.counts[0] > 0) & (found.keys != TOTAL_KEY)].tolist())
    index = ConceptIndex.of({names[k][0]: names[k][1] for k in keys})
    lookup = np.full(max(keys, default=0) + 1, -1, dtype=np.int64)
    for k in keys:
        lookup[k] = index.position[names[k][0]]
    return index, lookup


def _code_arrays(
    sums: dict[tuple[str, str], Sums], code: str, index: ConceptIndex, lookup: np.ndarray
) -> np.ndarray:
    out = np.zeros((len(WINDOWS), 3, len(index.ids)), dtype=np.int64)
    for w, window in enumerate(WINDOWS):
        found = sums.get((code, window))
        if found is None:
            continue
        inside = found.keys < lookup.size
        at = np.full(found.keys.shape, -1, dtype=np.int64)
        at[inside] = lookup[found.keys[inside]]
        keep = at >= 0
        out[w][:, at[keep]] = found.counts[:, keep]
    return out


async def rollup_run_counts(
    session: AsyncSession,
    span: Span,
    sums: dict[tuple[str, str], Sums],
    current_start: date,
    codes: list[str],
    credential_codes: dict[int, list[str]],
    links: CoveringLinks | None = None,
) -> RunCounts:
    """What service/demand/run_counts.run_counts answers, from the month rollups' signed sums and the
    mention index (`links`: the covering links, when the caller has read them)."""
    result = RunCounts()
    if not codes:
        return result
    for (code, bucket), found in sums.items():
        total = found.total()
        if code in codes and total:
            result.totals.setdefault(code, {})[bucket] = total
    names = await concept_names(session, span.org_id, _keys_of(sums))
    index, lookup = _index_of(sums, codes, names)
    result._index = index
    result._arrays = {code: _code_arrays(sums, code, index, lookup) for code in codes}
    result.competencies = await mention_competency_counts(
        session,
        span.org_id,
        span.places,
        (span.start, span.end, current_start),
        credential_codes,
        links,
        {cid: key for key, (cid, _label) in names.items()},
    )
    return result


async def count_credentials_from_rollups(
    session: AsyncSession,
    org_id: int,
    dates: tuple[date, date, date],  # baseline start, as of, current start
    credentials: Sequence[Credential],
    wanted: dict[int, tuple[str, ...]],
    drift: DriftSettings,
    links: Sequence[tuple[int, int, str]] | None = None,
) -> CredentialCounts:
    """service/demand/run_regions.count_credentials, read from the rollups: one statement of sums per region
    (the month rows of the window's whole months, day rows at its edges) and one over the mention index
    (`links`: the covering links (credential, competency, concept), when the caller has read them)."""
    start, end, current_start = dates
    pieces = month_pieces(window_buckets(start, end, current_start))
    out = CredentialCounts.by_region(credentials, drift)
    for region in sorted(set(out.region_of.values())):
        span = Span(org_id, start, end, await region_places(session, org_id, region))
        members = [cid for cid, reg in out.region_of.items() if reg == region]
        asked = sorted({code for cid in members for code in wanted[cid]})
        candidates = await concrete_codes(session, org_id, asked) if asked and span.places != () else []
        sums = await signed_sums(session, org_id, pieces, candidates, span.places) if candidates else {}
        counted: dict[str, int] = {}
        for (code, _bucket), found in sums.items():
            counted[code] = counted.get(code, 0) + found.total()
        present = sorted(code for code, n in counted.items() if n > 0)
        for cid in members:
            out.codes_of[cid] = matching_codes(present, wanted[cid])
        needed = sorted({code for cid in members for code in out.codes_of[cid]})
        codes = {cid: out.codes_of[cid] for cid in members if out.codes_of[cid]}
        out.of_region[region] = await rollup_run_counts(
            session, span, sums, current_start, needed, codes, links
        )
    return out


async def concrete_codes(session: AsyncSession, org_id: int, wanted: Sequence[str]) -> list[str]:
    """The counted occupation codes `wanted` matches (a 6-digit SOC code: itself and its O*NET children), so
    the rollups are read by index on exact codes."""
    code = col(DemandCode.occupation_code)
    rows = await session.scalars(
        select(code)
        .where(col(DemandCode.org_id) == org_id, occupation_condition(wanted, code))
        .order_by(code)
    )
    return list(rows)


async def scope_counts(
    session: AsyncSession,
    scope: Scope,
    bucket: str | date,
    only: set[str] | None = None,
    top: int | None = None,
) -> BucketCounts:
    """What aggregation.bucket_counts answers for the scope, from the rollups (GET /api/v1/demand, a
    credential's alignment): "month" buckets ('YYYY-MM') or the window split at a date. With `only`, just
    those concepts; with `top`, per bucket just the `top` most demanded (by postings, then concept id), so a
    series of a year does not build thousands of counts per month to show fifty."""
    result = BucketCounts()
    if not scope.occupations:
        return result
    places = await region_places(session, scope.org_id, scope.region)
    if places == ():
        return result
    codes = await concrete_codes(session, scope.org_id, scope.occupations)
    if not codes:
        return result
    buckets = (
        window_buckets(scope.start, scope.end, bucket)
        if isinstance(bucket, date)
        else month_buckets(scope.start, scope.end)
    )
    sums = await signed_sums(session, scope.org_id, month_pieces(buckets), codes, places, by_code=False)
    names = await concept_names(session, scope.org_id, _keys_of(sums))
    for (_code, name), found in sums.items():
        total = found.total()
        if total:
            result.totals[name] = total
        per = result.concepts.setdefault(name, {})
        keep = np.flatnonzero((found.counts[0] > 0) & (found.keys != TOTAL_KEY))
        if only is not None:
            keep = keep[np.asarray([names[k][0] in only for k in found.keys[keep].tolist()], dtype=bool)]
        if top is not None and keep.size > top:
            floor = np.partition(found.counts[0, keep], keep.size - top)[keep.size - top]
            keep = keep[found.counts[0, keep] >= floor]  # every tie at the floor, sorted out below
            keep = np.asarray(
                sorted(keep.tolist(), key=lambda i: (-found.counts[0, i], names[int(found.keys[i])][0]))
            )
            keep = keep[:top]
        counts = found.counts[:, keep].T.tolist()  # plain ints: one conversion, not one per value
        for key, (postings, required, preferred) in zip(found.keys[keep].tolist(), counts, strict=True):
            cid, label = names[key]
            per[cid] = ConceptCount(label, postings, required, preferred)
        if not per:
            del result.concepts[name]
    return result
