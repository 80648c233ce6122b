"""Ranking O*NET detailed work activities (DWAs) for a text: the DWA labels' meaning and O*NET's own examples.

A DWA's title is short ("Weld metal components."); O*NET's task statements say the same activities in many
ways, and O*NET links each task to its DWAs. Those links of the *training* occupations (every occupation that
is not in the evaluation fifth of ``splits.is_eval_occupation``) are shipped as labelled examples
(``data/dwa_exemplars.json.gz``, task statement → DWA ids, built by ``skillpulse nlp build-taxonomy``,
``task_dwas.build_dwa_exemplars``). A text's score for a DWA is

    cosine(text, DWA title) + vote_weight x vote

where ``vote`` is the similarity-weighted share of the text's ``k`` nearest example tasks (cosine of the
static embedding, ``embedding.py``) that O*NET links to the DWA: weight ``exp(cosine / temperature)``,
normalised over the ``k``. ``k``, ``temperature``, ``vote_weight`` and the calibration of the score into a
probability (``config/dwa_rank.json``) are chosen by ``python -m training.dwa_tuning --write`` on a quarter of
the training occupations, whose examples are left out of the index and whose task pairs are left out of the
embedding it trains for the purpose (the shipped embedding was trained on every training occupation's pairs);
the figure is reported on the evaluation fifth (``skillpulse nlp evaluate-dwa``).

Pure logic apart from loading the packaged table; the examples' vectors are built once and kept in the NLP
index cache (``index_cache.cached``).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import embedding
from .index_cache import cached
from .taxonomy import DATA_DIR, PACKAGE_DIR, load_taxonomy
from .types import Concept

EXEMPLARS_FILE = DATA_DIR / "dwa_exemplars.json.gz"
SCHEME = ("onet-dwa",)
MAX_CHARS = 1000  # as rank_concepts: a statement's first 1000 characters

PARAMS_FILE = PACKAGE_DIR / "config" / "dwa_rank.json"  # written by ``python -m training.dwa_tuning --write``


@dataclass(frozen=True, slots=True)
class Params:
    k: int = 20  # nearest example tasks that vote
    temperature: float = 0.1  # of the vote weights exp(cosine / T)
    vote_weight: float = 0.5  # against the DWA title's cosine
    # the probability that a candidate is one of the statement's DWAs: 1 / (1 + exp(-(bias + scale x score))),
    # fitted on the tuning occupations' best 5 candidates per task
    bias: float = -6.0
    scale: float = 8.0


@lru_cache(maxsize=1)
def packaged_params() -> Params:
    """The packaged parameters (``config/dwa_rank.json``), else the defaults."""
    if not PARAMS_FILE.exists():
        return Params()
    found = json.loads(PARAMS_FILE.read_text(encoding="utf-8"))
    return Params(**{f: found[f] for f in Params.__dataclass_fields__ if f in found})


@dataclass(frozen=True, slots=True)
class Exemplars:
    """Example task statements and the DWA concept ids O*NET links each to."""

    texts: tuple[str, ...]
    dwas: tuple[tuple[str, ...], ...]


def load_exemplars() -> Exemplars:
    """The packaged table (empty when absent: ranking falls back to the DWA titles alone)."""
    if not EXEMPLARS_FILE.exists():
        return Exemplars((), ())
    with gzip.open(EXEMPLARS_FILE, "rt", encoding="utf-8") as fh:
        rows = json.load(fh)["tasks"]
    return Exemplars(tuple(r[0] for r in rows), tuple(tuple(r[1]) for r in rows))


def _encode(texts: Sequence[str]) -> np.ndarray:
    return embedding.embed([t.strip()[:MAX_CHARS] for t in texts])


class DwaRanker:
    """Scores every DWA for texts from the DWA titles' vectors and the example tasks' votes.

    ``labels`` (DWA ids and their title vectors) and ``vectors`` (the examples') default to the packaged
    embedding's; tuning passes those of an embedding trained without the tuning occupations."""

    def __init__(
        self,
        exemplars: Exemplars,
        params: Params | None = None,
        vectors: np.ndarray | None = None,
        labels: tuple[list[str], np.ndarray] | None = None,
    ) -> None:
        from scipy import sparse

        if labels is None:
            matrix = embedding.concept_matrix()
            rows, sub = matrix._rows_of(SCHEME)
            labels = ([matrix.ids[int(r)] for r in rows], sub)
        self.ids, self.labels = labels
        self.params = params if params is not None else packaged_params()
        column = {cid: j for j, cid in enumerate(self.ids)}
        pairs = [(i, column[d]) for i, ds in enumerate(exemplars.dwas) for d in ds if d in column]
        n = len(exemplars.texts)
        if vectors is None:
            vectors = _encode(exemplars.texts) if n else np.zeros((0, self.labels.shape[1]), np.float32)
        self.examples = vectors
        # example -> DWA incidence (an example linked to two DWAs votes for both)
        self.links = sparse.csr_matrix(
            (np.ones(len(pairs), np.float32), ([i for i, _ in pairs], [j for _, j in pairs])),
            shape=(n, len(self.ids)),
        )

    def neighbours(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Per text vector, its ``k`` nearest examples (row numbers, cosines), nearest first."""
        sims = vectors @ self.examples.T
        k = min(k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-near, axis=1, kind="stable")
        return np.take_along_axis(top, order, axis=1), np.take_along_axis(near, order, axis=1)

    def vote(self, top: np.ndarray, near: np.ndarray, temperature: float) -> np.ndarray:
        """(texts x DWAs) share of the neighbours' weight ``exp(cosine / temperature)`` that each DWA gets."""
        from scipy import sparse

        n, k = top.shape
        w = np.exp((near - near.max(axis=1, keepdims=True)) / temperature)
        w /= w.sum(axis=1, keepdims=True)
        weights = sparse.csr_matrix(
            (w.ravel(), top.ravel(), np.arange(0, w.size + 1, k)), shape=(n, self.examples.shape[0])
        )
        return np.asarray((weights @ self.links).todense())

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """(texts x DWAs) scores of unit text vectors (columns in the order of ``self.ids``)."""
        out = vectors @ self.labels.T
        if self.examples.shape[0] == 0 or self.params.vote_weight == 0 or len(vectors) == 0:
            return out
        top, near = self.neighbours(vectors, self.params.k)
        return out + self.params.vote_weight * self.vote(top, near, self.params.temperature)

    def top(self, scores: np.ndarray, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """The ``k`` best DWA ids of each row of scores (a zero text vector ranks nothing)."""
        k = min(k, len(self.ids))
        out: list[list[tuple[str, float]]] = []
        for vector, row in zip(vectors, scores, strict=True):
            if not vector.any():
                out.append([])
                continue
            best = np.argpartition(-row, k - 1)[:k]
            best = best[np.lexsort((best, -row[best]))]
            out.append([(self.ids[int(j)], round(float(row[j]), 4)) for j in best])
        return out

    def rank_vectors(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """The ``k`` best DWA ids per text vector with their scores."""
        return self.top(self.scores(vectors), vectors, k) if len(vectors) else []

    def rank_many(self, texts: Sequence[str], k: int = 5) -> list[list[tuple[str, float]]]:
        return self.rank_vectors(_encode(texts), k) if texts else []


@lru_cache(maxsize=1)
def get_ranker() -> DwaRanker:
    """The packaged ranker: the shipped examples, their vectors from the index cache."""
    exemplars = load_exemplars()
    vectors = cached("dwa-exemplar-vectors", lambda: _encode(exemplars.texts)) if exemplars.texts else None
    return DwaRanker(exemplars, vectors=vectors)


def probability(score: float, p: Params | None = None) -> float:
    """The calibrated probability of a ranker score."""
    p = p or packaged_params()
    return 1.0 / (1.0 + math.exp(-(p.bias + p.scale * score)))


def rank_dwas(text: str, k: int = 5) -> list[tuple[Concept, float]]:
    """The ``k`` DWAs that best fit ``text`` (a task or competency statement), best first, each with the
    probability that it is one the statement expresses (``probability`` of the ranker's score)."""
    return rank_dwas_many([text], k)[0]


def rank_dwas_many(texts: Sequence[str], k: int = 5) -> list[list[tuple[Concept, float]]]:
    """``rank_dwas`` of each text, the matrix products done once for all of them."""
    asked = [i for i, t in enumerate(texts) if t and t.strip()]
    out: list[list[tuple[Concept, float]]] = [[] for _ in texts]
    if not asked or not embedding.available():
        return out
    tax = load_taxonomy()
    for i, ranked in zip(asked, get_ranker().rank_many([texts[i] for i in asked], k), strict=True):
        out[i] = [(tax.concepts[c], round(probability(s), 4)) for c, s in ranked]
    return out
