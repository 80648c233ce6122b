"""Linking by meaning: the lexical ranker's candidates and the embedding's nearest concepts, scored together.

For a phrase (and, when known, the sentence it comes from) every candidate concept gets three numbers: the
lexical score (``Linker.lexical``: shared words, string similarity, priors; 0 when the words do not match),
the cosine between the phrase's and the concept label's embeddings, and the cosine between the sentence's
and the label's. A logistic model turns them into the probability that the concept is the right one
(``config/linking.json``, fitted by ``skillpulse nlp fit-linking`` on the tuning blocks of the esco-linking
files; figures are reported on the other blocks). Because the score is a probability, one threshold means the
same precision wherever it is used; a scheme's own intercept corrects what the shared weights misjudge.

"install roof windows" shares two words with "Install, configure and upgrade Windows and macOS operating
systems" but nothing of its meaning; its lexical score is high, its cosines low, and it falls below the
threshold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from . import embedding
from .taxonomy import PACKAGE_DIR, norm_label
from .textnorm import content_stems


class Linker(Protocol):
    """What this module asks of the lexical linker (which passes itself in: it imports this module)."""

    def foreign_share(self, cid: str, said: AbstractSet[str]) -> float: ...

    def named(self, phrase: str) -> set[str]: ...


class CachingLinker(Linker, Protocol):
    """A linker whose lexical scores ``candidates`` may ask for (the lexical linker itself)."""

    def lexical(
        self, phrase: str, schemes: tuple[str, ...] | None, occupation: str | None = None
    ) -> dict[str, float]: ...


WEIGHTS_FILE = PACKAGE_DIR / "config" / "linking.json"
N_LEXICAL = 12  # the lexical ranker's best this many
N_NEAREST = 20  # and the embedding's nearest this many...
SEARCH_BELOW = 0.4  # ...when the best lexical score is below this (the words alone do not name a concept)
N_PROFILE = 5  # and, when the occupation is known, the nearest this many of its profile's concepts
# Before fitting (or without linking.json): lexical evidence and meaning weigh about equally.
DEFAULT = {
    "bias": -6.0,
    "lexical": 5.0,
    "phrase": 4.0,
    "context": 3.0,
    "foreign": -3.0,
    "named": 2.0,
    "scheme": {},
}
FEATURES = ("lexical", "phrase", "context", "foreign", "named")


@lru_cache(maxsize=1)
def weights(path: str | None = None) -> dict:
    f = Path(path) if path else WEIGHTS_FILE
    w = dict(DEFAULT)
    if f.exists():
        w.update(json.loads(f.read_text(encoding="utf-8")))
    return w


def weight_set(name: str | None) -> dict:
    """The weights of ``name`` in linking.json (``"extract"``: fitted on what the extractor asks while
    reading postings, ``training/posting_calibration.py``), else the file's own (the esco-linking fit)."""
    w = weights()
    if name and isinstance(w.get(name), dict):
        return {**w, **w[name]}
    return w


def ready() -> bool:
    """The embedding model ships with the package (it may be absent in a trimmed build)."""
    return embedding.available()


MAX_NEAREST_CACHED = 100_000
_NEAREST: dict[tuple[str, tuple[str, ...] | None], tuple[str, ...]] = {}  # least recently used first


def _nearest(phrase: str, schemes: tuple[str, ...] | None) -> tuple[str, ...]:
    """The N_NEAREST concepts nearest a normalised phrase, best first (cached per process; ``prefetch_nearest``
    finds many at once)."""
    key = (phrase, schemes)
    found = _NEAREST.pop(key, None)
    if found is None:
        vector = embedding.embed([phrase])[0]
        found = tuple(c for c, _ in embedding.concept_matrix().nearest(vector, N_NEAREST, schemes))
    _remember(key, found)
    return found


def _remember(key: tuple[str, tuple[str, ...] | None], ids: tuple[str, ...]) -> None:
    _NEAREST[key] = ids
    if len(_NEAREST) > MAX_NEAREST_CACHED:
        del _NEAREST[next(iter(_NEAREST))]


def prefetch_nearest(
    linker: CachingLinker, queries: Iterable[tuple[str, tuple[str, ...] | None, str | None]]
) -> int:
    """Find at once the nearest concepts of every query (phrase, schemes, occupation) that will ask for them
    (its best lexical score is below SEARCH_BELOW) and has not yet: one matrix product reads the concept matrix
    once for all of them instead of once each. What it finds is what ``_nearest`` would (``nearest_many`` leaves
    near ties to it); returns how many it found."""
    wanted: dict[tuple[str, tuple[str, ...] | None], None] = {}
    for phrase, schemes, occupation in queries:
        key = (norm_label(phrase), schemes)
        if key in _NEAREST or key in wanted:
            continue
        lexical = linker.lexical(phrase, schemes, occupation)
        if not lexical or max(lexical.values()) < SEARCH_BELOW:
            wanted[key] = None
    by_schemes: dict[tuple[str, ...] | None, list[str]] = {}
    for phrase, schemes in wanted:
        by_schemes.setdefault(schemes, []).append(phrase)
    found = 0
    for schemes, phrases in by_schemes.items():
        vectors = embedding.embed(phrases)
        for phrase, ids in zip(phrases, embedding.nearest_many(vectors, N_NEAREST, schemes), strict=True):
            if ids is not None:
                _remember((phrase, schemes), ids)
                found += 1
    return found


@lru_cache(maxsize=50_000)
def _stems(text: str) -> frozenset[str]:
    """The content stems of a phrase or sentence (a posting's sentence serves each of its mentions)."""
    return frozenset(content_stems(text))


@dataclass(frozen=True, slots=True)
class PhraseCandidates:
    """What a phrase's candidates owe to the phrase alone (its words, schemes and occupation), not to the
    sentence it is read in: computed once per process for each (phrase, schemes, occupation) and shared by
    every sentence the phrase comes back in (``candidates``)."""

    key: str  # the phrase, normalised (``norm_label``)
    ids: tuple[str, ...]
    rows: np.ndarray  # each id's row of the concept matrix
    lex: np.ndarray
    phrase_cos: np.ndarray
    named: np.ndarray
    schemes_of: tuple[str, ...]
    boost: np.ndarray | None  # each id's occupation prior, when the occupation is known


def phrase_candidates(
    phrase: str,
    lexical: dict[str, float],
    schemes: tuple[str, ...] | None,
    linker: Linker,
    occupation: str | None = None,
) -> PhraseCandidates:
    """The candidate ids (the lexical ranker's best, the embedding's nearest when the words alone do not name a
    concept, the nearest of the occupation's profile) with the features that do not depend on the context."""
    from .occupations import priors
    from .taxonomy import load_taxonomy

    key = norm_label(phrase)
    best_lexical = sorted(lexical.items(), key=lambda x: (-x[1], x[0]))[:N_LEXICAL]
    nearest = _nearest(key, schemes) if not best_lexical or best_lexical[0][1] < SEARCH_BELOW else ()
    matrix = embedding.concept_matrix()
    vector = embedding.embed([key])[0]
    ids = list(dict.fromkeys([c for c, _ in best_lexical] + list(nearest)))
    ids += [c for c in _nearest_in_profile(vector, occupation, schemes) if c not in ids]
    rows = np.array([matrix.index[c] for c in ids], dtype=np.intp)
    phrase_cos = matrix.matrix[rows] @ vector  # as ConceptMatrix.similarity computes it
    named_ids = linker.named(phrase)
    tax = load_taxonomy()
    prior = priors(occupation) if occupation else None
    return PhraseCandidates(
        key=key,
        ids=tuple(ids),
        rows=rows,
        lex=np.array([lexical.get(c, 0.0) for c in ids]),
        phrase_cos=phrase_cos,
        named=np.array([1.0 if c in named_ids else 0.0 for c in ids]),
        schemes_of=tuple(tax.concepts[c].scheme for c in ids),
        boost=np.array([prior.get(c, 0.0) for c in ids], dtype=np.float32) if prior else None,
    )


@lru_cache(maxsize=20_000)
def candidates(
    linker: CachingLinker, phrase: str, schemes: tuple[str, ...] | None, occupation: str | None
) -> PhraseCandidates:
    """``phrase_candidates`` of the linker's own lexical scores, cached: a posting's list items, clauses and
    conjuncts come back in sentence after sentence (and posting after posting) with other contexts."""
    return phrase_candidates(phrase, linker.lexical(phrase, schemes, occupation), schemes, linker, occupation)


def context_rows(cands: PhraseCandidates, phrase: str, context: str | None, linker: Linker) -> np.ndarray:
    """The candidates' rows of FEATURES, given the sentence (``context``) the phrase is read in."""
    if context and norm_label(context) != cands.key:
        sub = embedding.concept_matrix().matrix[cands.rows]
        context_cos = sub @ embedding.embed([context])[0]
    else:
        context_cos = cands.phrase_cos
    said = _stems(context or phrase) | _stems(phrase)
    foreign = np.array([linker.foreign_share(c, said) for c in cands.ids])
    rows = np.stack([cands.lex, cands.phrase_cos, context_cos, foreign, cands.named], axis=1)
    return rows.astype(np.float32)


def features(
    phrase: str,
    context: str | None,
    lexical: dict[str, float],
    schemes: tuple[str, ...] | None,
    linker: Linker,
    occupation: str | None = None,
) -> tuple[list[str], np.ndarray]:
    """Candidate concept ids and their rows of FEATURES: lexical score, phrase cosine, context cosine, and the
    share of the label's word weight (IDF) that the text does not say ("roof" of "install roof windows" in a
    sentence about operating systems), and whether a label or alias of the concept is the phrase itself."""
    cands = phrase_candidates(phrase, lexical, schemes, linker, occupation)
    if not cands.ids:
        return [], np.zeros((0, len(FEATURES)), dtype=np.float32)
    return list(cands.ids), context_rows(cands, phrase, context, linker)


@lru_cache(maxsize=256)
def _profile(occupation: str, schemes: tuple[str, ...] | None) -> tuple[list[str], np.ndarray]:
    """The concepts of an occupation's profile (``nlp.occupations.priors``) that the embedding knows, with
    their rows of the concept matrix (gathered once: every phrase of the occupation's postings is compared)."""
    from .occupations import priors
    from .taxonomy import load_taxonomy

    tax, matrix = load_taxonomy(), embedding.concept_matrix()
    ids = [
        c
        for c in sorted(priors(occupation))
        if c in matrix.index and c in tax.concepts and (schemes is None or tax.concepts[c].scheme in schemes)
    ]
    return ids, matrix.matrix[[matrix.index[c] for c in ids]]


def _nearest_in_profile(
    vector: np.ndarray, occupation: str | None, schemes: tuple[str, ...] | None
) -> list[str]:
    """The N_PROFILE concepts of the text's occupation profile nearest the phrase: candidates that share no
    word with it ("perform pre-trip inspections" → "Inspect motor vehicles." for a truck driver)."""
    if not occupation:
        return []
    ids, sub = _profile(occupation, schemes)
    if not ids:
        return []
    cos = sub @ vector  # as ConceptMatrix.similarity computes it, without gathering the rows again
    return [ids[i] for i in np.argsort(-cos, kind="stable")[:N_PROFILE]]


def probability(
    rows: np.ndarray, schemes_of: list[str], w: dict | None = None, prior: np.ndarray | None = None
) -> np.ndarray:
    """The logistic model over FEATURES, plus the scheme's intercept and, when the text's occupation is
    known, ``w["occupation"]`` × the concept's occupation prior (0..1, ``nlp.occupations.priors``)."""
    w = w or weights()
    z = w["bias"] + rows @ np.array([w[f] for f in FEATURES], dtype=np.float32)
    z = z + np.array([w["scheme"].get(s, 0.0) for s in schemes_of], dtype=np.float32)
    if prior is not None:
        z = z + float(w.get("occupation", 0.0)) * prior
    return 1.0 / (1.0 + np.exp(-z))


def combine(
    phrase: str,
    context: str | None,
    lexical: dict[str, float],
    schemes: tuple[str, ...] | None,
    linker: Linker,
    occupation: str | None = None,
    purpose: str | None = None,
) -> dict[str, float]:
    """Concept id → calibrated probability, for the lexical and the nearest candidates; ``occupation``: the
    text's O*NET-SOC code, whose profile adds candidates and raises the concepts it lists; ``purpose``: the
    weight set (``weight_set``) the probability comes from."""
    return score(
        phrase_candidates(phrase, lexical, schemes, linker, occupation), phrase, context, linker, purpose
    )


def score(
    cands: PhraseCandidates, phrase: str, context: str | None, linker: Linker, purpose: str | None = None
) -> dict[str, float]:
    """``combine`` of candidates already found (``candidates`` caches them per phrase)."""
    if not cands.ids:
        return {}
    rows = context_rows(cands, phrase, context, linker)
    probs = probability(rows, list(cands.schemes_of), weight_set(purpose), prior=cands.boost)
    return {c: float(p) for c, p in zip(cands.ids, probs, strict=True) if not math.isnan(p)}
