"""Counts for a whole drift run in three aggregate queries over the raw postings and mentions: the reference
that service/demand/rollup_reads.py answers from the rollups (tests check the two agree).

Per-credential queries re-read the same postings once for every credential sharing an occupation (200
credentials over 40 occupations read each posting ten times). Instead:
1. each content fingerprint is represented by its canonical posting (service/demand/rollups.py: the earliest
   countable one by posted date and id), so counts need no DISTINCT on the hash and add up exactly across
   occupation codes and windows;
2. totals and concept counts are aggregated per (occupation code, window) once, and a credential's counts are
   the sums over the concrete codes its SOC / O*NET-SOC codes match;
3. competency counts come from one join of the represented postings with a (credential, code) mapping, so each
   posting meets only the links of the credentials whose occupations include it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    column,
    func,
    literal,
    select,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Competency, CompetencySkill
from service.demand.aggregation import COVERING_LINK_STATUSES, ConceptCount, canonical_postings
from service.demand.concept_arrays import (
    WINDOWS,
    ConceptArrays,
    ConceptIndex,
    code_array,
    region_index,
    summed,
)
from service.postings.models import Posting, PostingSkill


def code_matches(concrete: str, wanted: Iterable[str]) -> bool:
    """A posting's code against a credential's codes: equal, or an O*NET child of a 6-digit SOC code."""
    return any(concrete == w or (len(w) == 7 and concrete.startswith(w + ".")) for w in wanted)


def matching_codes(concrete: Sequence[str], wanted: Iterable[str]) -> list[str]:
    """The codes of `concrete` (in its order) that `code_matches` the credential's codes `wanted`: a lookup
    per wanted code instead of a test of every pair (hundreds of credentials, tens of codes)."""
    wanted = set(wanted)
    return [code for code in concrete if code in wanted or (code[7:8] == "." and code[:7] in wanted)]


@dataclass(slots=True)
class RunCounts:
    """Window counts per occupation code, and competency counts per credential (a service region is chosen
    by the `where` of the queries, service/demand/run_regions.py)."""

    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    concepts: dict[str, dict[str, dict[str, ConceptCount]]] = field(default_factory=dict)
    competencies: dict[int, dict[str, dict[int, int]]] = field(default_factory=dict)

    _index: ConceptIndex | None = None
    _arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def arrays_for(self, keys: Iterable[str]) -> ConceptArrays:
        """A credential's counts: the sums over the concrete occupation codes it counts, as arrays on the
        region's concept index (built once per region, each code's array once)."""
        if self._index is None:
            self._index = region_index(self.concepts.values())
        index, keys = self._index, list(keys)
        for key in keys:
            if key not in self._arrays:
                self._arrays[key] = code_array(index, self.concepts.get(key, {}))
        totals = tuple(sum(self.totals.get(key, {}).get(w, 0) for key in keys) for w in WINDOWS)
        return summed(index, [self._arrays[key] for key in keys], (totals[0], totals[1]))


async def present_codes(
    session: AsyncSession, org_id: int, start: date, end: date, where: Sequence[ColumnElement[bool]] = ()
) -> list[str]:
    """The occupation codes that occur among the organisation's counted (canonical) postings of the range
    (those meeting `where` too)."""
    ranked = canonical_postings(org_id)
    rows = await session.scalars(
        select(Posting.occupation_code)
        .distinct()
        .join(ranked, ranked.c.id == Posting.id)
        .where(ranked.c.rn == 1, Posting.posted_at >= start, Posting.posted_at <= end, *where)
    )
    return sorted(code for code in rows if code is not None)


async def run_counts(
    session: AsyncSession,
    org_id: int,
    start: date,
    end: date,
    current_start: date,
    codes: list[str],
    credential_codes: dict[int, list[str]],
    where: Sequence[ColumnElement[bool]] = (),
) -> RunCounts:
    """Totals and concept counts per (code, window) for `codes`, and competency counts per
    credential, over the postings meeting `where` too (a service region: service/demand/run_regions.py).
    """
    result = RunCounts()
    if not codes:
        return result
    bucket = case((Posting.posted_at >= current_start, literal("current")), else_=literal("baseline"))
    ranked = canonical_postings(org_id)
    reps = (
        select(Posting.id.label("id"), bucket.label("bucket"), Posting.occupation_code.label("code"))
        .join(ranked, ranked.c.id == Posting.id)
        .where(
            ranked.c.rn == 1,
            Posting.posted_at >= start,
            Posting.posted_at <= end,
            Posting.occupation_code.in_(codes),
            *where,
        )
        .cte("reps")
    )
    result.totals = await _totals(session, reps)
    result.concepts = await _concept_counts(session, org_id, reps)
    result.competencies = await competency_counts(session, org_id, reps, credential_codes)
    return result


async def _totals(session: AsyncSession, reps: CTE) -> dict[str, dict[str, int]]:
    """Represented postings per (code, window)."""
    out: dict[str, dict[str, int]] = {}
    totals = await session.execute(
        select(reps.c.code, reps.c.bucket, func.count()).group_by(reps.c.code, reps.c.bucket)
    )
    for code, bkt, count in totals:
        out.setdefault(code, {})[bkt] = int(count)
    return out


async def _concept_counts(
    session: AsyncSession, org_id: int, reps: CTE
) -> dict[str, dict[str, dict[str, ConceptCount]]]:
    """Postings (all, requiring, preferring) per (code, window, concept)."""

    def posting_if(level: str):  # noqa: ANN202 - a SQL expression
        return case((PostingSkill.requirement == level, PostingSkill.posting_id))

    out: dict[str, dict[str, dict[str, ConceptCount]]] = {}
    rows = await session.execute(
        select(
            reps.c.code,
            reps.c.bucket,
            PostingSkill.concept_id,
            func.max(PostingSkill.concept_label),
            func.count(func.distinct(PostingSkill.posting_id)),
            func.count(func.distinct(posting_if("required"))),
            func.count(func.distinct(posting_if("preferred"))),
        )
        .select_from(reps)
        .join(PostingSkill, and_(PostingSkill.posting_id == reps.c.id, PostingSkill.org_id == org_id))
        .where(PostingSkill.concept_id.is_not(None))
        .group_by(reps.c.code, reps.c.bucket, PostingSkill.concept_id)
    )
    for code, bkt, cid, label, count, required, preferred in rows:
        out.setdefault(code, {}).setdefault(bkt, {})[cid] = ConceptCount(
            label or cid, int(count), int(required), int(preferred)
        )
    return out


async def competency_counts(
    session: AsyncSession,
    org_id: int,
    reps: CTE,
    credential_codes: dict[int, list[str]],
) -> dict[int, dict[str, dict[int, int]]]:
    """Represented postings per (credential, window, competency) that name a concept the competency covers;
    `reps` has the posting `id`, its window `bucket` and its occupation `code`."""
    out: dict[int, dict[str, dict[int, int]]] = {}
    mapping = _credential_codes(credential_codes)
    if mapping is None:
        return out
    comp_rows = await session.execute(
        select(
            mapping.c.credential_id,
            CompetencySkill.competency_id,
            reps.c.bucket,
            func.count(func.distinct(reps.c.id)),
        )
        .select_from(reps)
        .join(mapping, mapping.c.code == reps.c.code)
        .join(
            Competency,
            and_(
                Competency.credential_id == mapping.c.credential_id,
                Competency.deleted_at.is_(None),
                Competency.org_id == org_id,
            ),
        )
        .join(
            CompetencySkill,
            and_(
                CompetencySkill.competency_id == Competency.id,
                CompetencySkill.status.in_(COVERING_LINK_STATUSES),
            ),
        )
        .join(
            PostingSkill,
            and_(PostingSkill.posting_id == reps.c.id, PostingSkill.concept_id == CompetencySkill.concept_id),
        )
        .group_by(mapping.c.credential_id, CompetencySkill.competency_id, reps.c.bucket)
    )
    for cred_id, comp_id, bkt, count in comp_rows:
        out.setdefault(int(cred_id), {}).setdefault(bkt, {})[int(comp_id)] = int(count)
    return out


def _credential_codes(credential_codes: dict[int, list[str]]) -> CTE | None:
    """The (credential, code) mapping as a VALUES CTE; None when no credential has a code."""
    mapping_rows = [(cred_id, code) for cred_id, codes in credential_codes.items() for code in codes]
    if not mapping_rows:
        return None
    return (
        values(
            column("credential_id", Integer),
            column("code", String),
            name="cred_occ",
            # Inline literals (SQLAlchemy quotes them): thousands of rows would pass the drivers' bind limits.
            literal_binds=True,
        )
        .data(mapping_rows)
        .cte("cred_occ")
    )
