"""Demand rollups, the rules without the I/O (service/demand/rollup_store.py does the reading and writing).

What is counted, exactly:
- A content fingerprint (`posting.content_hash`) counts once per organisation, at its *canonical* posting: the
  earliest by (posted date, id) among the organisation's postings that are countable (extraction done, a
  posted date, an occupation code). When that posting is re-extracted, recoded or deleted, the next one
  takes over: upkeep subtracts the fingerprint's old contribution and adds its new one.
- A canonical posting adds 1 to the total row (concept '') of its (day, occupation code, place), and for each
  concept it mentions 1 to that concept's `postings`, plus 1 to `required` / `preferred` when any mention of
  the concept is required / preferred (the rule of service/demand/aggregation.py).
- The grain is the posted day: drift windows are day-exact (`current_days` back from as of), and a month, as
  today's queries bucket it ('YYYY-MM' of posted_at), is the sum of its days.
- A place is one distinct normalised `posting.geo` of the organisation; a region is the set of places
  `service.geo.allows_region` admits, so sums over it count each posting once however many of its codes
  (state, county, CBSA) the region names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

TOTAL = ""  # the concept id of a total row

Key = tuple[int, str]  # (org_id, content_hash)
RollupKey = tuple[int, date, str, int, str]  # (org_id, day, occupation code, place id, concept id)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A posting as upkeep sees it."""

    id: int
    org_id: int
    content_hash: str
    posted_at: date | None
    occupation_code: str | None
    status: str
    geo: dict | None = None

    @property
    def countable(self) -> bool:
        return self.status == "done" and self.posted_at is not None and bool(self.occupation_code)

    @property
    def key(self) -> Key:
        return (self.org_id, self.content_hash)

    def counted_at(self, place_id: int) -> Canon:
        """Where this (countable) posting counts its fingerprint."""
        if self.posted_at is None or not self.occupation_code:
            raise ValueError(f"posting {self.id} is not countable")
        return Canon(self.org_id, self.content_hash, self.id, self.posted_at, self.occupation_code, place_id)


@dataclass(frozen=True, slots=True)
class Canon:
    """Where a fingerprint is counted (a row of demand_canon)."""

    org_id: int
    content_hash: str
    posting_id: int
    day: date
    occupation_code: str
    place_id: int


@dataclass(frozen=True, slots=True)
class ConceptFlags:
    """One concept of a posting: its label and whether any mention of it is required / preferred."""

    concept_id: str
    label: str | None
    required: bool
    preferred: bool


@dataclass(slots=True)
class Delta:
    postings: int = 0
    required: int = 0
    preferred: int = 0
    label: str | None = None


def canonical(candidates: Iterable[Candidate]) -> dict[Key, Candidate]:
    """Each fingerprint's canonical posting: the earliest (posted date, id) of its countable postings."""
    best: dict[Key, Candidate] = {}
    for cand in candidates:
        if not cand.countable:
            continue
        have = best.get(cand.key)
        if have is None or (cand.posted_at, cand.id) < (have.posted_at, have.id):
            best[cand.key] = cand
    return best


def lock_id(key: Key) -> int:
    """A fingerprint's advisory lock id on PostgreSQL (a signed 64-bit integer)."""
    digest = hashlib.sha256(f"demand-rollup:{key[0]}:{key[1]}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def normal_geo(geo: dict | None) -> dict | None:
    """A geo with its lists sorted and de-duplicated and empty fields dropped (None when nothing is left)."""
    if not geo:
        return None
    out: dict = {}
    for name, value in geo.items():
        if isinstance(value, list):
            value = sorted({str(v) for v in value})
        if value in (None, [], ""):
            continue
        out[name] = value
    return out or None


def place_key(geo: dict | None) -> str:
    """The place of a geo: SHA-256 of its normal form, so equal locations share one place."""
    text = json.dumps(normal_geo(geo), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def add_contribution(
    deltas: dict[RollupKey, Delta], canon: Canon, concepts: Iterable[ConceptFlags], sign: int
) -> None:
    """Add (sign 1) or take away (sign -1) one canonical posting's counts."""
    base = (canon.org_id, canon.day, canon.occupation_code, canon.place_id)
    total = deltas.setdefault((*base, TOTAL), Delta())
    total.postings += sign
    for flags in concepts:
        delta = deltas.setdefault((*base, flags.concept_id), Delta())
        delta.postings += sign
        delta.required += sign * flags.required
        delta.preferred += sign * flags.preferred
        if flags.label is not None and (delta.label is None or flags.label > delta.label):
            delta.label = flags.label


def net(deltas: dict[RollupKey, Delta]) -> dict[RollupKey, Delta]:
    """The deltas that change anything (a fingerprint taken away and added back at the same place is none)."""
    return {key: d for key, d in deltas.items() if d.postings or d.required or d.preferred}
