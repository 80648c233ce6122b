"""Sentence → concepts: the sentence, its pieces and its words ranked together (nlp.sentence_rank)."""

from __future__ import annotations

import numpy as np

from nlp import embedding, sentence_rank
from nlp.sentences import nearest_concepts, rank_concepts, sentence_concepts


def test_pieces_are_the_list_items_and_clauses_not_the_sentence_itself():
    text = "Operate forklifts, load and unload trucks, and keep accurate inventory records."
    assert sentence_rank.pieces(text) == [
        "Operate forklifts",
        "load and unload trucks",
        "keep accurate inventory records",
    ]
    assert sentence_rank.pieces("Operate forklifts") == []
    assert "MIG welding" in sentence_rank.pieces("Operate forklifts", spans=("MIG welding",))


def test_a_sentence_that_names_several_skills_gets_each_of_them():
    ranked = rank_concepts(
        "Strong knowledge of JavaScript and SQL, with experience in Python scripting.", 5, ("esco",)
    )
    labels = [c.label for c, _ in ranked]
    assert {"JavaScript", "SQL", "Python (computer programming)"} <= set(labels)
    assert labels[0] == "JavaScript"
    assert all(c.scheme == "esco" for c, _ in ranked)


def test_without_pieces_or_shared_words_the_score_is_the_cosine():
    w = {"sentence": 1.0, "piece": 0.15, "lexical": 0.15, "named": 0.15}
    x = np.array([[0.6, 0.6, 0.0, 0.0], [0.6, 0.6, 0.5, 1.0]])
    z = sentence_rank.scores(x, w)
    assert abs(z[0] - 0.6) < 1e-9 and z[1] > z[0]


def test_nearest_concepts_is_the_embedding_alone():
    text = "Drive tractor-trailers to deliver freight to customers"
    vector = embedding.embed([text])[0]
    expected = embedding.concept_matrix().nearest(vector, 5, ("onet-dwa",))
    assert [(c.id, s) for c, s in nearest_concepts(text, 5, ("onet-dwa",))] == [
        (c, round(s, 4)) for c, s in expected
    ]


def test_sentence_concepts_score_as_rank_concepts_does():
    text = "Benefits\nStrong knowledge of JavaScript and SQL, with experience in Python scripting."
    found = sentence_concepts(text, schemes=("esco",), threshold=0.0, k=5)
    sentence = found[0].sentence
    assert sentence.startswith("Strong knowledge")  # the one-word heading expresses nothing
    assert [(f.concept.id, f.score) for f in found] == [
        (c.id, s) for c, s in rank_concepts(sentence, 5, ("esco",))
    ]


def test_spans_of_a_segment_are_the_extractors_whether_remembered_or_not():
    from nlp.pipeline import extract_many, get_extractor

    ex = get_extractor()
    segment = "Operate forklifts and pallet jacks safely in a busy warehouse"
    fresh = tuple(ex.nlp(segment)[s:e].text for s, e, _ in ex.doc_spans(ex.nlp(segment)))
    ex._span_memo.clear()
    assert sentence_rank.spans_of([segment]) == [fresh]  # not remembered: the model reads it
    extract_many([segment])  # the extraction remembers what it found
    assert sentence_rank.spans_of([segment, segment]) == [fresh, fresh]
    assert fresh  # the statement names skills the span model finds
