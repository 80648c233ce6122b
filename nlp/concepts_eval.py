"""Concept recall and precision on the labelled middle-skill posting set (``nlp/eval/postings.jsonl``).

A posting's predicted concepts are what the extractor links its spans to (``extract``), and, with
``sentences=True``, what its sentences express (``sentence_concepts``, the best concept per sentence above
the threshold). An expected group is found when any of its concepts is predicted; a predicted concept is
right when it is in a group or in the posting's ``acceptable`` list. Micro-averaged over postings, per
occupation and overall, on the split asked for (``tune`` postings choose thresholds, ``test`` ones report).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .occupation_text import code_occupation
from .pipeline import extract_many
from .postings_gold import GoldPosting, split_of
from .sentences import SENTENCE_THRESHOLD, sentence_concepts

SENTENCE_SCHEMES = ("esco", "onet-dwa")


@dataclass
class Tally:
    postings: int = 0
    groups: int = 0
    found: int = 0
    predicted: int = 0
    right: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.postings += other.postings
        self.groups += other.groups
        self.found += other.found
        self.predicted += other.predicted
        self.right += other.right
        self.missed += other.missed
        self.wrong += other.wrong

    def scores(self) -> dict:
        recall = self.found / self.groups if self.groups else 0.0
        precision = self.right / self.predicted if self.predicted else 0.0
        return {
            "postings": self.postings,
            "recall": round(recall, 4),
            "precision": round(precision, 4),
            "groups": self.groups,
            "predicted": self.predicted,
        }


def posting_occupations(postings: list[GoldPosting], source: str) -> list[str | None]:
    """The O*NET-SOC code the extractor is given per posting: ``given`` (the labelled one, as when a feed
    carries it), ``title`` (coded from the title and the text, as the worker does when it does not) or ``none``."""
    if source == "given":
        return [p.occupation for p in postings]
    if source == "title":
        coded = [code_occupation(p.title, p.text) for p in postings]
        return [c[0] if c else None for c in coded]
    if source == "none":
        return [None] * len(postings)
    raise ValueError(f"occupation source must be given, title or none, not {source!r}")


def predicted_concepts(
    texts: list[str],
    sentences: bool,
    sentence_threshold: float,
    occupations: list[str | None] | None = None,
) -> list[dict[str, str]]:
    """Per text: concept id → label of what the extractor (and, if asked, the sentences) found."""
    out: list[dict[str, str]] = []
    for text, mentions in zip(texts, extract_many(texts, occupations=occupations), strict=True):
        found = {m.concept.id: m.concept.label for m in mentions if m.concept is not None}
        if sentences:
            seen_sentences: set[int] = set()
            for s in sentence_concepts(text, schemes=SENTENCE_SCHEMES, threshold=sentence_threshold, k=1):
                if s.start not in seen_sentences:
                    seen_sentences.add(s.start)
                    found.setdefault(s.concept.id, s.concept.label)
        out.append(found)
    return out


def score_posting(gold: GoldPosting, predicted: dict[str, str]) -> Tally:
    t = Tally(postings=1, groups=len(gold.groups), predicted=len(predicted))
    for group in gold.groups:
        if group.ids & predicted.keys():
            t.found += 1
        else:
            t.missed.append(f"{gold.id}: {group.label}")
    for cid, label in predicted.items():
        if cid in gold.allowed:
            t.right += 1
        else:
            t.wrong.append(f"{gold.id}: {label}")
    return t


def evaluate_concepts(
    postings: Iterable[GoldPosting],
    split: str = "test",
    sentences: bool = False,
    sentence_threshold: float = SENTENCE_THRESHOLD,
    occupation: str = "title",
) -> dict[str, Tally]:
    """Tallies per occupation and ``"all"`` for the postings of ``split`` ("tune", "test" or "all");
    ``occupation``: where the extractor's occupation comes from (``posting_occupations``)."""
    chosen = [p for p in postings if split == "all" or split_of(p.id) == split]
    socs = posting_occupations(chosen, occupation)
    predicted = predicted_concepts([p.text for p in chosen], sentences, sentence_threshold, socs)
    by: dict[str, Tally] = defaultdict(Tally)
    for gold, found in zip(chosen, predicted, strict=True):
        t = score_posting(gold, found)
        by[gold.occupation].add(t)
        by["all"].add(t)
    return dict(by)
