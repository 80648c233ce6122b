"""Does a credential cover a concept? Pure matching of concepts to competencies, and demand-weighted coverage.

A concept is covered when a competency of the credential is linked to it (a confirmed or a suggested link: the
suggestion is the linker's best reading until a designer says otherwise), or, where the linker found nothing,
when the concept's label matches a competency's text closely enough (rapidfuzz `token_set_ratio` on
lower-cased, punctuation-free text: 100 when every word of the label appears in the text). A rejected link is
the designer's word that this competency does not teach this concept, so it also blocks the fuzzy fallback for
that pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils


@dataclass(frozen=True, slots=True)
class CompetencyText:
    id: int
    text: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    competency_id: int
    concept_id: str
    status: str  # suggested | confirmed | rejected


@dataclass(frozen=True, slots=True)
class CoverMatch:
    competency_id: int
    method: str  # "link" | "fuzzy"
    score: float
    status: str | None = None  # the link's review status, for method "link"

    def to_dict(self) -> dict:
        return {
            "competency_id": self.competency_id,
            "method": self.method,
            "score": round(self.score, 2),
            "status": self.status,
        }


def match_concepts(
    concepts: Sequence[tuple[str, str]],
    competencies: Sequence[CompetencyText],
    links: Iterable[Link],
    fuzzy_threshold: float,
) -> dict[str, list[CoverMatch]]:
    """For each (concept_id, label): the competencies that cover it, links first, best fuzzy matches after."""
    by_concept: dict[str, list[Link]] = {}
    for link in links:
        by_concept.setdefault(link.concept_id, []).append(link)
    result: dict[str, list[CoverMatch]] = {cid: [] for cid, _ in concepts}
    fuzzy_needed: list[tuple[str, str]] = []
    for concept_id, label in concepts:
        for link in by_concept.get(concept_id, []):
            if link.status in ("confirmed", "suggested"):
                result[concept_id].append(CoverMatch(link.competency_id, "link", 100.0, link.status))
        if not result[concept_id] and label:
            fuzzy_needed.append((concept_id, label))
    if not fuzzy_needed or not competencies:
        return result
    texts = [" ".join(t for t in (c.label, c.text) if t) for c in competencies]
    scores = process.cdist(
        [label for _, label in fuzzy_needed],
        texts,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=fuzzy_threshold,
        workers=1,
    )
    above: dict[int, list[int]] = {}  # row -> its columns at or above the threshold (most rows have none)
    for row, col in zip(*(at.tolist() for at in np.nonzero(scores >= fuzzy_threshold)), strict=True):
        above.setdefault(row, []).append(col)
    for row, columns in above.items():
        concept_id = fuzzy_needed[row][0]
        rejected = {
            link.competency_id for link in by_concept.get(concept_id, []) if link.status == "rejected"
        }
        matches = [
            CoverMatch(competencies[col].id, "fuzzy", float(scores[row, col]))
            for col in columns
            if competencies[col].id not in rejected
        ]
        result[concept_id] = sorted(matches, key=lambda m: -m.score)[:3]
    return result


def weighted_coverage(shares: dict[str, float], covered: set[str]) -> float | None:
    """Demand-weighted share covered: sum of covered concepts' shares over all demanded concepts' shares."""
    total = sum(shares.values())
    if total <= 0:
        return None
    return sum(share for cid, share in shares.items() if cid in covered) / total
