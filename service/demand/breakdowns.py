"""Demand broken down: postings per source, and the equity lens (postings per county or metro area within a
credential's service region, with the top skills' shares in each).

Counted like the rest of demand (aggregation.py): one per content fingerprint, finished extraction only, the
scope's occupations, dates and region. A posting whose places lie in two counties counts in both. Groups of
fewer than `SUPPRESS_BELOW` postings (the survey splits' threshold, surveys/stats.py) are shown without their
numbers, as the survey's splits by employer size, sector and region are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.demand.aggregation import Scope
from service.demand.schemas import AlignmentRead, PlaceGroupRead, PlaceSplitRead
from service.geo import RegionMatch, region_match
from service.geo.tables import GeoTables, tables
from service.postings.models import Posting, PostingSkill
from surveys.stats import SUPPRESS_BELOW

SplitKind = Literal["county", "cbsa"]
SPLIT_KINDS: tuple[str, ...] = ("county", "cbsa")
OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class SourceCount:
    source: str
    postings: int


async def source_counts(session: AsyncSession, scope: Scope) -> list[SourceCount]:
    """Distinct postings per source (import source or file/API name) in the scope, most first."""
    if not scope.occupations:
        return []
    rows = await session.execute(
        select(col(Posting.source), func.count(func.distinct(col(Posting.content_hash))))
        .where(*scope.conditions())
        .group_by(Posting.source)
    )
    counts = [SourceCount(str(name), int(n)) for name, n in rows.all()]
    return sorted(counts, key=lambda c: (-c.postings, c.source))


@dataclass(slots=True)
class PlaceGroup:
    code: str  # county FIPS, CBSA code, or "outside"
    label: str
    suppressed: bool
    postings: int | None = None  # None when suppressed
    share: float | None = None  # of the scope's postings
    concepts: dict[str, float] = field(default_factory=dict)  # concept id → share of the group's postings


@dataclass(slots=True)
class PlaceSplit:
    kind: str
    region: list[str]
    postings: int
    concepts: list[tuple[str, str]]  # (concept id, label) of the columns
    groups: list[PlaceGroup]
    suppressed_below: int = SUPPRESS_BELOW


def _within(geo: GeoTables, match: RegionMatch | None, kind: str, code: str) -> bool:
    """Whether a county / CBSA of a posting lies in the service region (no region: every one does)."""
    if match is None:
        return True
    state_fips = {geo.states[s][0] for s in match.states if s in geo.states}
    if kind == "county":
        return code in match.counties or code[:2] in state_fips
    region_cbsas = set(match.cbsas) | {geo.counties[c][1] for c in match.counties if c in geo.counties}
    return code in region_cbsas or bool(set(geo.cbsa_states.get(code, ())) & set(match.states))


def _label(geo: GeoTables, kind: str, code: str) -> str:
    if kind == "county":
        name = geo.counties.get(code, (code, None))[0]
        state = geo.state_by_fips.get(code[:2], "")
        return f"{name}, {state}" if state else name
    title, size = geo.cbsas.get(code, (code, ""))
    return f"{title} ({size}politan)" if size in ("metro", "micro") else title


async def _places(session: AsyncSession, scope: Scope, kind: str) -> dict[str, set[str]]:
    """Content fingerprint → the codes of `kind` its postings name."""
    rows = await session.execute(
        select(col(Posting.content_hash), col(Posting.geo)).where(*scope.conditions()).distinct()
    )
    out: dict[str, set[str]] = defaultdict(set)
    for content_hash, geo in rows.all():
        out[content_hash].update(str(c) for c in (geo or {}).get(kind) or ())
    return out


async def _asking(session: AsyncSession, scope: Scope, concept_ids: Sequence[str]) -> dict[str, set[str]]:
    """Concept id → the content fingerprints asking for it."""
    if not concept_ids:
        return {}
    rows = await session.execute(
        select(col(PostingSkill.concept_id), col(Posting.content_hash))
        .join(
            PostingSkill,
            and_(col(PostingSkill.posting_id) == col(Posting.id), col(PostingSkill.org_id) == scope.org_id),
        )
        .where(*scope.conditions(), col(PostingSkill.concept_id).in_(list(concept_ids)))
        .distinct()
    )
    out: dict[str, set[str]] = defaultdict(set)
    for concept_id, content_hash in rows.all():
        out[str(concept_id)].add(content_hash)
    return out


async def place_split(
    session: AsyncSession, scope: Scope, kind: str, concepts: Sequence[tuple[str, str]]
) -> PlaceSplit:
    """Postings per county (`kind` "county") or CBSA ("cbsa") of the scope's region, each with the share
    asking for each of `concepts`; postings placed in none of them (remote, only a state) are one group."""
    if kind not in SPLIT_KINDS:
        raise ValueError(f"split {kind!r} is not one of {', '.join(SPLIT_KINDS)}")
    places = await _places(session, scope, kind) if scope.occupations else {}
    asking = await _asking(session, scope, [cid for cid, _ in concepts]) if places else {}
    geo = tables()
    match = region_match(scope.region) if scope.region else None
    members: dict[str, set[str]] = defaultdict(set)
    for content_hash, codes in places.items():
        inside = [c for c in codes if _within(geo, match, kind, c)]
        for code in inside or [OUTSIDE]:
            members[code].add(content_hash)
    total = len(places)
    outside_label = "Not placed in a county" if kind == "county" else "Not placed in a metro or micro area"
    labels = {code: outside_label if code == OUTSIDE else _label(geo, kind, code) for code in members}
    groups = []
    for code in sorted(members, key=lambda c: (c == OUTSIDE, -len(members[c]), labels[c])):
        hashes = members[code]
        if len(hashes) < SUPPRESS_BELOW:
            groups.append(PlaceGroup(code, labels[code], suppressed=True))
            continue
        shares = {cid: round(len(hashes & asking.get(cid, set())) / len(hashes), 4) for cid, _ in concepts}
        groups.append(
            PlaceGroup(code, labels[code], False, len(hashes), round(len(hashes) / total, 4), shares)
        )
    return PlaceSplit(kind, list(scope.region), total, list(concepts), groups)


SPLIT_CONCEPTS = 3


def alignment_scope(org_id: int, alignment: AlignmentRead) -> Scope:
    """The postings an alignment counted: its occupations, region and current window."""
    window = alignment.window
    return Scope(
        org_id,
        tuple(alignment.occupations),
        date.fromisoformat(window["from"]),
        date.fromisoformat(window["to"]),
        tuple(alignment.region),
    )


async def alignment_place_split(
    session: AsyncSession, org_id: int, alignment: AlignmentRead, kind: str, concepts: int = SPLIT_CONCEPTS
) -> PlaceSplit:
    """The equity lens of a credential: its counted postings per county or metro area, with the shares of
    its most demanded skills."""
    columns = [(c.concept_id, c.label) for c in alignment.concepts[:concepts]]
    return await place_split(session, alignment_scope(org_id, alignment), kind, columns)


def place_split_read(split: PlaceSplit) -> PlaceSplitRead:
    return PlaceSplitRead(
        kind=split.kind,  # type: ignore[arg-type]  # one of SPLIT_KINDS (place_split checks)
        region=split.region,
        postings=split.postings,
        concepts=[{"concept_id": cid, "label": label} for cid, label in split.concepts],
        groups=[
            PlaceGroupRead(
                code=g.code,
                label=g.label,
                suppressed=g.suppressed,
                postings=g.postings,
                share=g.share,
                concepts=g.concepts,
            )
            for g in split.groups
        ],
        suppressed_below=split.suppressed_below,
    )
