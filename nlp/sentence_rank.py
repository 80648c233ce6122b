"""Ranking a sentence's concepts by more than its one embedding: its pieces' meaning and its words too.

A sentence's mean word-piece vector blurs what it lists ("operate forklifts, load trucks and keep records"
lies between its three skills and near none). Each candidate concept gets four numbers:

- ``sentence``: cosine of the sentence's and the label's embeddings (what ``sentences.nearest_concepts`` ranks
  by);
- ``piece``: the best cosine of a *piece* of the sentence with the label: its list items and verb clauses
  (``coordination.list_items``, ``clause_links.verb_clauses``) and the skill spans the extractor finds in it
  (the sentence's own cosine when it has no piece);
- ``lexical``: the lexical ranker's score of the sentence (``Linker.lexical``: shared words, string similarity);
- ``named``: a piece (or the sentence) is one of the concept's labels or aliases.

Candidates are the sentence's nearest concepts, each piece's nearest, and the lexical ranker's best for the
sentence and each piece. The score is ``sentence + w·(piece, lexical, named)`` divided by the cosine weights'
sum, so a sentence without pieces or shared words keeps its cosine. The weights (``config/sentences.json``) are
chosen by ``skillpulse nlp fit-sentences`` on SkillSkape *dev* and the *tune* postings of
``eval/postings.jsonl``, never on esco-linking (the report set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import embedding
from .clause_links import verb_clauses
from .coordination import list_items
from .taxonomy import PACKAGE_DIR, norm_label

WEIGHTS_FILE = PACKAGE_DIR / "config" / "sentences.json"
FEATURES = ("sentence", "piece", "lexical", "named")
N_SENTENCE = 20  # the sentence's nearest this many concepts...
N_PIECE = 5  # ...each piece's nearest this many...
N_LEXICAL = 5  # ...and the lexical ranker's best this many, for the sentence and for each piece
MAX_PIECES = 12  # a long run-on segment's first pieces
MAX_CHARS = 1000
# Without sentences.json: the sentence's cosine alone, as nearest_concepts ranks.
DEFAULT = {"sentence": 1.0, "piece": 0.0, "lexical": 0.0, "named": 0.0}


@lru_cache(maxsize=1)
def weights() -> dict:
    w = dict(DEFAULT)
    if WEIGHTS_FILE.exists():
        w.update(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))
    return w


def pieces(sentence: str, spans: tuple[str, ...] = ()) -> list[str]:
    """The sentence's list items and verb clauses (and the given spans), each once, the sentence itself not."""
    found = [sentence[s:e] for s, e in list_items(sentence)] + [
        sentence[s:e] for s, e in verb_clauses(sentence)
    ]
    found += list(spans)
    whole = norm_label(sentence)
    out = list(dict.fromkeys(p for p in (" ".join(f.split()) for f in found) if p and norm_label(p) != whole))
    return out[:MAX_PIECES]


@dataclass(frozen=True, slots=True)
class Candidates:
    ids: tuple[str, ...]
    x: np.ndarray  # one row of FEATURES per id


def candidates(sentence: str, schemes: tuple[str, ...] | None, spans: tuple[str, ...] = ()) -> Candidates:
    """The sentence's candidate concepts and their features (``FEATURES``)."""
    from .linker import get_linker

    linker = get_linker()
    sentence = " ".join(sentence.split())[:MAX_CHARS]
    parts = pieces(sentence, spans)
    matrix = embedding.concept_matrix()
    rows, sub = matrix._rows_of(schemes)
    vectors = embedding.embed([sentence, *parts])
    if rows.size == 0 or not vectors[0].any():
        return Candidates((), np.zeros((0, len(FEATURES))))
    sims = sub @ vectors.T  # every concept of the schemes × (sentence, pieces...): the matrix read once
    picked: dict[int, None] = {}
    for j, n in enumerate([N_SENTENCE] + [N_PIECE] * len(parts)):
        n = min(n, rows.size)
        top = np.argpartition(-sims[:, j], n - 1)[:n]
        picked.update((int(t), None) for t in top[np.lexsort((top, -sims[top, j]))])
    lexical = [linker.lexical(t, schemes, None) for t in (sentence, *parts)]
    for scores in lexical:
        best = sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:N_LEXICAL]
        at = np.searchsorted(rows, [matrix.index[c] for c, _ in best])  # rows is sorted
        picked.update((int(i), None) for i in at)
    at = np.fromiter(picked, dtype=np.intp, count=len(picked))
    order = tuple(matrix.ids[int(rows[i])] for i in at)
    cos = sims[at]  # candidates × (sentence, pieces...)
    named = set().union(*(linker.named(t) for t in (sentence, *parts)))
    x = np.zeros((len(order), len(FEATURES)))
    x[:, 0] = cos[:, 0]
    x[:, 1] = cos[:, 1:].max(axis=1) if parts else cos[:, 0]
    x[:, 2] = [lexical[0].get(c, 0.0) for c in order]
    x[:, 3] = [1.0 if c in named else 0.0 for c in order]
    return Candidates(order, x)


def scores(x: np.ndarray, w: dict | None = None) -> np.ndarray:
    """The candidates' scores: the weighted sum of their features over the cosine weights' sum."""
    w = weights() if w is None else w
    z = x @ np.array([float(w.get(f, 0.0)) for f in FEATURES])
    return z / ((float(w.get("sentence", 0.0)) + float(w.get("piece", 0.0))) or 1.0)


def spans_of(texts: list[str]) -> list[tuple[str, ...]]:
    """The skill spans the extractor's span model finds in each text (none without a shipped model)."""
    from .pipeline import get_extractor

    ex = get_extractor()
    if not ex.has_model or not texts:
        return [() for _ in texts]
    return ex.span_texts(texts)


def rank(
    sentence: str, k: int, schemes: tuple[str, ...] | None, spans: tuple[str, ...] = ()
) -> list[tuple[str, float]]:
    """The ``k`` best concepts of the sentence, best first, with their scores."""
    cands = candidates(sentence, schemes, spans)
    if not cands.ids:
        return []
    z = scores(cands.x)
    order = sorted(range(len(z)), key=lambda i: (-z[i], cands.ids[i]))[:k]
    return [(cands.ids[i], float(z[i])) for i in order]
