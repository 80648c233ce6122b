"""A credential's window counts as aligned NumPy arrays: what drift detection reads.

A drift run tests every concept of every credential (hundreds of credentials, thousands of concepts), so the
counts are not dictionaries of ConceptCount per credential but one concept index per service region and, per
occupation code, an integer array [window, measure, concept]; a credential's counts are the sum of its codes'
arrays (service/demand/run_counts.RunCounts.arrays_for).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from service.demand.aggregation import BucketCounts, ConceptCount

WINDOWS = ("baseline", "current")
POSTINGS, REQUIRED, PREFERRED = 0, 1, 2


@dataclass(slots=True)
class ConceptIndex:
    """The concepts of a region's counts, sorted by id, with their labels."""

    ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, labels: dict[str, str]) -> ConceptIndex:
        ids = sorted(labels)
        return cls(ids, [labels[cid] for cid in ids], {cid: i for i, cid in enumerate(ids)})


@dataclass(slots=True)
class ConceptArrays:
    """Postings per window (`totals`) and, per window, measure and concept, the postings naming it."""

    index: ConceptIndex
    counts: np.ndarray  # int64 [2 windows, 3 measures, len(index.ids)]
    totals: tuple[int, int] = (0, 0)

    def total(self, window: str) -> int:
        return self.totals[WINDOWS.index(window)]

    def label(self, concept_id: str) -> str:
        return self.index.labels[self.index.position[concept_id]]

    def get(self, window: str, concept_id: str) -> ConceptCount | None:
        """One concept's counts in a window (None when no posting of the window names it)."""
        i = self.index.position.get(concept_id)
        if i is None:
            return None
        row = self.counts[WINDOWS.index(window), :, i]
        if not row[POSTINGS]:
            return None
        return ConceptCount(self.index.labels[i], int(row[POSTINGS]), int(row[REQUIRED]), int(row[PREFERRED]))

    def to_buckets(self) -> BucketCounts:
        out = BucketCounts({w: n for w, n in zip(WINDOWS, self.totals, strict=True) if n})
        for w, window in enumerate(WINDOWS):
            for i in np.flatnonzero(self.counts[w, POSTINGS]):
                found = self.get(window, self.index.ids[i])
                if found is not None:
                    out.concepts.setdefault(window, {})[self.index.ids[i]] = found
        return out

    @classmethod
    def from_buckets(cls, counts: BucketCounts) -> ConceptArrays:
        index = ConceptIndex.of(
            {cid: c.label for window in WINDOWS for cid, c in counts.concepts.get(window, {}).items()}
        )
        return cls(
            index,
            code_array(index, counts.concepts),
            (counts.total("baseline"), counts.total("current")),
        )


def code_array(index: ConceptIndex, concepts: dict[str, dict[str, ConceptCount]]) -> np.ndarray:
    """One code's counts ({window: {concept: ConceptCount}}) laid out on the index."""
    out = np.zeros((len(WINDOWS), 3, len(index.ids)), dtype=np.int64)
    for w, window in enumerate(WINDOWS):
        per = concepts.get(window, {})
        if not per:
            continue
        at = np.fromiter((index.position[cid] for cid in per), dtype=np.int64, count=len(per))
        out[w, POSTINGS, at] = [c.postings for c in per.values()]
        out[w, REQUIRED, at] = [c.required for c in per.values()]
        out[w, PREFERRED, at] = [c.preferred for c in per.values()]
    return out


def region_index(per_code: Iterable[dict[str, dict[str, ConceptCount]]]) -> ConceptIndex:
    """The index of every concept of a region's codes (the greatest label where codes differ)."""
    labels: dict[str, str] = {}
    for concepts in per_code:
        for per in concepts.values():
            for cid, c in per.items():
                have = labels.get(cid)
                if have is None or c.label > have:
                    labels[cid] = c.label
    return ConceptIndex.of(labels)


def summed(index: ConceptIndex, arrays: Sequence[np.ndarray], totals: tuple[int, int]) -> ConceptArrays:
    """A credential's arrays: the sum over its codes' arrays."""
    if not arrays:
        return ConceptArrays(index, np.zeros((len(WINDOWS), 3, len(index.ids)), dtype=np.int64), totals)
    if len(arrays) == 1:
        return ConceptArrays(index, arrays[0], totals)
    total = arrays[0] + arrays[1]  # added in place: np.sum would first stack them into one array
    for more in arrays[2:]:
        total += more
    return ConceptArrays(index, total, totals)
