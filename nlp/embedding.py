"""Meaning: static sentence embeddings for phrases, sentences and concepts.

The model is a table of word-piece vectors (``data/embed/vectors.npy``, float16, with the word-piece tokenizer
``data/embed/tokenizer.json``): distilled from all-MiniLM-L6-v2 with model2vec, then trained on linking pairs
(``training/embedding.py``, ``skillpulse nlp train-embedding``). A text's vector is the mean of its pieces'
vectors, unit length; cosine is a dot product. No PyTorch at run time: numpy and the Rust tokenizer only,
so a phrase costs microseconds and a posting's sentences are cheap to embed.

Concept vectors (the preferred label's) are computed once per process from the packaged taxonomy
(``concept_matrix``; about a second) and cached; ``nearest`` ranks a scheme's concepts for a text.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from .index_cache import cached
from .taxonomy import DATA_DIR, load_taxonomy, norm_label

EMBED_DIR = DATA_DIR / "embed"
VECTORS_FILE = EMBED_DIR / "vectors.npy"
TOKENIZER_FILE = EMBED_DIR / "tokenizer.json"
META_FILE = EMBED_DIR / "meta.json"
MAX_PIECES = 128  # a sentence's first 128 word pieces carry its meaning; longer text is cut there


class Embedder:
    def __init__(self) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.vectors = np.load(VECTORS_FILE).astype(np.float32)
        self.dim = int(self.vectors.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (a text with no word piece gets a zero row)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for row, enc in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = enc.ids[:MAX_PIECES]
            if ids:
                out[row] = self.vectors[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


def available() -> bool:
    return VECTORS_FILE.exists() and TOKENIZER_FILE.exists()


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    return Embedder()


def version() -> str:
    """The shipped model's version (meta.json), part of EXTRACTOR_VERSION."""
    if not META_FILE.exists():
        return "none"
    return str(json.loads(META_FILE.read_text(encoding="utf-8")).get("version", "none"))


@lru_cache(maxsize=50_000)
def _phrase_vector(text: str) -> np.ndarray:
    return get_embedder().encode([text])[0]


def embed(texts: list[str]) -> np.ndarray:
    """Vectors of texts, each distinct normalised text embedded once per process (postings repeat)."""
    if not texts:
        return np.zeros((0, get_embedder().dim), dtype=np.float32)
    return np.stack([_phrase_vector(norm_label(t)) for t in texts])


class ConceptMatrix:
    """Unit vectors of every concept's preferred label, with each scheme's rows."""

    def __init__(self) -> None:
        tax = load_taxonomy()
        self.ids = list(tax.concepts)
        self.index = {cid: i for i, cid in enumerate(self.ids)}
        self.matrix = cached(
            "concept-vectors", lambda: get_embedder().encode([tax.concepts[c].label for c in self.ids])
        )
        schemes = np.array([tax.concepts[c].scheme for c in self.ids])
        self.rows = {s: np.flatnonzero(schemes == s) for s in set(schemes.tolist())}
        self._sub: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}

    def _rows_of(self, schemes: tuple[str, ...] | None) -> tuple[np.ndarray, np.ndarray]:
        """(row numbers, their contiguous sub-matrix) of some schemes, built once per scheme set."""
        key = tuple(sorted(schemes)) if schemes else ()
        if key not in self._sub:
            if not key:
                self._sub[key] = (np.arange(len(self.ids)), self.matrix)
            else:
                empty = np.zeros(0, dtype=np.int64)
                rows = np.sort(np.concatenate([self.rows.get(s, empty) for s in key]))
                self._sub[key] = (rows, np.ascontiguousarray(self.matrix[rows]))
        return self._sub[key]

    def similarity(self, vector: np.ndarray, concept_ids: list[str]) -> np.ndarray:
        rows = [self.index[c] for c in concept_ids]
        return self.matrix[rows] @ vector

    def nearest(
        self, vector: np.ndarray, k: int, schemes: tuple[str, ...] | None = None
    ) -> list[tuple[str, float]]:
        rows, sub = self._rows_of(schemes)
        if rows.size == 0 or not vector.any():
            return []
        sims = sub @ vector
        k = min(k, rows.size)
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.lexsort((rows[top], -sims[top]))]
        return [(self.ids[int(rows[j])], float(sims[j])) for j in top]


@lru_cache(maxsize=1)
def concept_matrix() -> ConceptMatrix:
    return ConceptMatrix()


# Four times the float32 rounding bound of a 256-term dot product of unit vectors (256 × 2**-24 ≈ 1.5e-5 each
# way, for the matrix product and for ``ConceptMatrix.nearest``'s own): similarities further apart than this
# are ordered the same by both, whatever the order in which their products were summed.
NEAR_TIE = 6e-5


def nearest_many(
    vectors: np.ndarray, k: int, schemes: tuple[str, ...] | None = None
) -> list[tuple[str, ...] | None]:
    """For each row of ``vectors``, the ids of its ``k`` nearest concepts in the order ``ConceptMatrix.nearest``
    ranks them, from one matrix product for all rows (the concept matrix is read once, not once per vector);
    None for a row whose first k + 1 similarities are not all more than NEAR_TIE apart (the product could rank
    them otherwise than ``nearest``: ask it for that row) or that is all zeros."""
    matrix = concept_matrix()
    rows, sub = matrix._rows_of(schemes)
    if rows.size == 0 or len(vectors) == 0:
        return [None] * len(vectors)
    sims = vectors @ sub.T
    kk = min(k, rows.size)
    m = min(kk + 1, rows.size)
    out: list[tuple[str, ...] | None] = []
    for vector, row in zip(vectors, sims, strict=True):
        top = np.argpartition(-row, m - 1)[:m]
        top = top[np.argsort(-row[top], kind="stable")]
        gaps = np.diff(row[top].astype(np.float64))
        if not vector.any() or (gaps.size and -gaps.max() <= NEAR_TIE):
            out.append(None)
        else:
            out.append(tuple(matrix.ids[int(rows[t])] for t in top[:kk]))
    return out
