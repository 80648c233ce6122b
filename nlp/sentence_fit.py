"""Choosing the sentence ranker's weights and threshold (``sentence_rank``) on data it is not reported on.

Two tuning sets, neither of them esco-linking (the report set, ``skillpulse nlp evaluate-sentences``):

- SkillSkape *dev* sentences with their ESCO skills (RP@5; the embedding's epoch was chosen on it, it was
  never trained on). Its synthetic sentences paraphrase their skills, so words shared with a label say little;
- the *tune* postings of ``eval/postings.jsonl`` (by document, ``splits.is_tuning_document``): each segment's
  ESCO skills and DWAs, right when the posting expects or accepts them (RP@5 over the segments that have a
  right candidate). Real postings name their skills, so shared words and list items matter there.

``fit`` tries every weight of a small grid and keeps the best mean of the two RP@5; ``precision_at`` gives
the precision of what a threshold keeps (SkillSkape dev), for choosing ``SENTENCE_THRESHOLD``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import sentence_rank
from .linking_eval import rp_at_k

GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)  # piece, lexical and named weights tried (sentence: 1)
POSTING_SCHEMES = ("esco", "onet-dwa")  # what sentence concepts count on postings (concepts_eval)


@dataclass(frozen=True, slots=True)
class Item:
    gold: frozenset[str]
    ids: tuple[str, ...]
    x: np.ndarray


def featurise(sentences: list[str], golds: list[frozenset[str]], schemes: tuple[str, ...]) -> list[Item]:
    spans = sentence_rank.spans_of(sentences)
    out = []
    for sentence, gold, found in zip(sentences, golds, spans, strict=True):
        c = sentence_rank.candidates(sentence, schemes, found)
        out.append(Item(gold, c.ids, c.x))
    return out


def skillskape_items(shared: Path, split: str = "dev") -> list[Item]:
    from .reference_readers import esco_by_label, skillskape
    from .taxonomy import load_taxonomy

    rows = skillskape(
        Path(shared) / "labelled" / "skillskape" / f"{split}.csv", esco_by_label(load_taxonomy())
    )
    rows = [(s, g) for s, g in rows if g]
    return featurise([s for s, _ in rows], [g for _, g in rows], ("esco",))


def posting_items(split: str = "tune") -> list[Item]:
    """Segments of the posting set's ``split`` with the posting's right concepts among their candidates."""
    from .postings_gold import POSTINGS_GOLD_FILE, load_postings_gold, split_of
    from .segment import segments
    from .sentences import MIN_WORDS

    sentences, golds = [], []
    for p in load_postings_gold(POSTINGS_GOLD_FILE):
        if split_of(p.id) != split:
            continue
        for s, e in segments(p.text):
            if len(p.text[s:e].split()) >= MIN_WORDS:
                sentences.append(p.text[s:e])
                golds.append(p.allowed)
    items = featurise(sentences, golds, POSTING_SCHEMES)
    return [Item(i.gold & frozenset(i.ids), i.ids, i.x) for i in items if i.gold & frozenset(i.ids)]


def ranked(items: list[Item], w: dict, k: int = 5) -> list[list[tuple[str, float]]]:
    out = []
    for it in items:
        z = sentence_rank.scores(it.x, w)
        order = sorted(range(len(z)), key=lambda i: (-z[i], it.ids[i]))[:k]
        out.append([(it.ids[i], float(z[i])) for i in order])
    return out


def rp5(items: list[Item], w: dict) -> float:
    return rp_at_k([[c for c, _ in r] for r in ranked(items, w)], [it.gold for it in items], 5)


def fit(dev: list[Item], postings: list[Item]) -> dict:
    """The grid's weights with the best mean RP@5 over the two tuning sets (ties: the smaller weights)."""
    best: tuple[float, dict] | None = None
    for piece, lexical, named in itertools.product(GRID, GRID, GRID):
        w = {"sentence": 1.0, "piece": piece, "lexical": lexical, "named": named}
        score = (rp5(dev, w) + rp5(postings, w)) / 2
        if best is None or score > best[0] + 1e-9:
            best = (score, w)
    assert best is not None
    w = best[1]
    return {**w, "skillskape_dev_rp5": rp5(dev, w), "posting_tune_rp5": rp5(postings, w)}


def precision_at(items: list[Item], w: dict, thresholds: list[float], k: int = 5) -> list[dict]:
    """Per threshold: the precision of the top-k concepts scoring at least that, how many, and top-1's."""
    rows = ranked(items, w, k)
    out = []
    for t in thresholds:
        kept = [(c in it.gold) for r, it in zip(rows, items, strict=True) for c, s in r if s >= t]
        first = [(r[0][0] in it.gold) for r, it in zip(rows, items, strict=True) if r and r[0][1] >= t]
        out.append(
            {
                "threshold": t,
                "precision": round(sum(kept) / len(kept), 4) if kept else 0.0,
                "kept": len(kept),
                "top1_precision": round(sum(first) / len(first), 4) if first else 0.0,
                "top1_kept": len(first),
            }
        )
    return out
