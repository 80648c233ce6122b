"""The batch's one nearest-concept product (``embedding.nearest_many``, ``linker.prefetch``) finds what the
one-phrase search finds, or leaves the phrase to it; extraction reads the same with or without it."""

from __future__ import annotations

import numpy as np

from nlp import embedding, meaning
from nlp.linker import get_linker, link, prefetch

PHRASES = [
    "perform pre-trip inspections",
    "keep the shop floor tidy",
    "greet patients warmly",
    "load and unload freight",
    "verify bills of lading",
    "chart vital signs",
    "operate a pallet jack",
    "read weld symbols",
    "answer multi-line phones",
    "restock supply rooms",
    "draw blood",
    "balance the cash drawer",
    "Requisition 48755-2",  # a posting's lines whose words name no concept: the search is asked for
    "Riverside Health (Indianapolis",
    "our family practice sees 40 patients a week",
    "evenings",
]


def test_nearest_many_ranks_as_nearest_or_leaves_the_phrase_to_it():
    matrix = embedding.concept_matrix()
    vectors = embedding.embed(PHRASES)
    rng = np.random.default_rng(3)
    noise = rng.standard_normal((40, vectors.shape[1])).astype(np.float32)
    vectors = np.vstack([vectors, noise / np.linalg.norm(noise, axis=1, keepdims=True), np.zeros((1, 256))])
    vectors = vectors.astype(np.float32)
    for schemes in (None, ("esco",), ("onet-dwa", "onet-tools")):
        batched = embedding.nearest_many(vectors, 20, schemes)
        assert len(batched) == len(vectors)
        assert batched[-1] is None  # a zero vector: nothing is near it
        found = 0
        for vector, ids in zip(vectors, batched, strict=True):
            if ids is not None:
                assert list(ids) == [c for c, _ in matrix.nearest(vector, 20, schemes)]
                found += 1
        assert found >= len(vectors) // 2  # near ties are the exception, not the rule


def test_a_near_tie_is_left_to_the_one_phrase_search():
    matrix = embedding.concept_matrix()
    vector = matrix.matrix[0] + matrix.matrix[1]  # equally near concepts 0 and 1
    vector = (vector / np.linalg.norm(vector)).astype(np.float32)
    assert embedding.nearest_many(vector[None, :], 20) == [None]


def test_prefetching_changes_no_link():
    occupation = "53-3032.00"
    meaning._NEAREST.clear()
    get_linker()._link.cache_clear()
    meaning.candidates.cache_clear()
    cold = [link(p, k=3, occupation=occupation, context=p + " daily") for p in PHRASES]
    meaning._NEAREST.clear()
    get_linker()._link.cache_clear()
    meaning.candidates.cache_clear()
    lexical = [get_linker().lexical(p, None, occupation) for p in PHRASES]
    weak = sum(1 for scores in lexical if max(scores.values(), default=0.0) < meaning.SEARCH_BELOW)
    readied_count = prefetch([(p, occupation) for p in PHRASES])
    assert 0 < readied_count <= weak  # only the phrases whose words name no concept ask for the search
    readied = dict(meaning._NEAREST)
    assert [link(p, k=3, occupation=occupation, context=p + " daily") for p in PHRASES] == cold
    assert all(meaning._NEAREST[key] == ids for key, ids in readied.items())
