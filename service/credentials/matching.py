"""Pure matching of a file's competencies to the stored ones, so that a re-import updates in place.

A parsed competency matches a stored one by stored id (API edits), then by source identifier (CTID, CASE
identifier, CSV competency_id), then by the same statement (whitespace and case aside). Each stored row
matches at most once; rows nothing matched are removed from the credential (soft-deleted, history kept).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from service.credentials.formats.records import ParsedCompetency, text_hash


@dataclass(frozen=True, slots=True)
class StoredCompetency:
    id: int
    ext_id: str | None
    text_hash: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class Match:
    parsed: ParsedCompetency
    stored_id: int | None  # None: a new competency
    text_changed: bool  # the statement differs from the stored one (or the competency is new)


def match_competencies(
    stored: list[StoredCompetency], parsed: list[ParsedCompetency]
) -> tuple[list[Match], list[int]]:
    """(a match per parsed competency in order, ids of stored competencies to remove)."""
    by_id = {s.id: s for s in stored}
    by_ext: dict[str, list[StoredCompetency]] = defaultdict(list)
    by_hash: dict[str, list[StoredCompetency]] = defaultdict(list)
    # live rows first, so that a statement that is still there is preferred to one removed earlier
    for s in sorted(stored, key=lambda s: (s.deleted, s.id)):
        if s.ext_id:
            by_ext[s.ext_id].append(s)
        by_hash[s.text_hash].append(s)
    used: set[int] = set()

    def take(candidates: list[StoredCompetency]) -> StoredCompetency | None:
        for candidate in candidates:
            if candidate.id not in used:
                used.add(candidate.id)
                return candidate
        return None

    matches: list[Match | None] = [None] * len(parsed)
    hashes = [text_hash(p.text) for p in parsed]
    # three passes so that an identifier match is never stolen by an earlier statement match
    for i, p in enumerate(parsed):
        if p.db_id is not None and p.db_id in by_id and p.db_id not in used:
            used.add(p.db_id)
            matches[i] = Match(p, p.db_id, by_id[p.db_id].text_hash != hashes[i])
    for i, p in enumerate(parsed):
        if matches[i] is None and p.ext_id:
            hit = take(by_ext.get(p.ext_id, []))
            if hit is not None:
                matches[i] = Match(p, hit.id, hit.text_hash != hashes[i])
    for i, p in enumerate(parsed):
        if matches[i] is None:
            hit = take(by_hash.get(hashes[i], []))
            matches[i] = Match(p, hit.id, False) if hit is not None else Match(p, None, True)
    removed = [s.id for s in stored if s.id not in used and not s.deleted]
    return [m for m in matches if m is not None], removed
