"""Linking by meaning: the static embedding, the combined calibrated score, sentence-level concepts."""

from __future__ import annotations

import numpy as np

import nlp
from nlp import embedding, meaning
from nlp.linker import get_linker, link
from nlp.sentences import rank_concepts, sentence_concepts


def test_the_embedding_ships_and_gives_unit_vectors():
    assert embedding.available()
    v = embedding.embed(["install operating systems", "", "install operating systems"])
    assert v.shape == (3, embedding.get_embedder().dim)
    assert abs(float(np.linalg.norm(v[0])) - 1.0) < 1e-4
    assert not v[1].any()  # nothing to embed: a zero row, never NaN
    assert np.array_equal(v[0], v[2])


def test_meaning_separates_the_senses_of_a_shared_word():
    sentence, os_install, roof = embedding.embed(
        [
            "Install, configure and upgrade Windows and macOS operating systems on laptops",
            "install operating system",
            "install roof windows",
        ]
    )
    assert float(sentence @ os_install) > float(sentence @ roof) + 0.1


def test_context_decides_between_two_readings_of_a_word():
    it = link("Windows", k=3, context="Install and upgrade Windows and macOS operating systems on laptops")
    assert "install roof windows" not in [c.label for c, _ in it]
    assert link("roof windows", k=1, context="Install skylights and roof windows on new homes")[0][
        0
    ].label == ("install roof windows")


def test_scores_are_probabilities_that_grow_with_the_evidence():
    w = meaning.weights()
    base = np.array([[0.5, 0.5, 0.5, 0.2, 0.0]], dtype=np.float32)
    p = meaning.probability(base, ["esco"], w)[0]
    assert 0.0 < p < 1.0
    for i, sign in enumerate((+1, +1, +1, -1, +1)):  # lexical, phrase, context up; foreign share down; named
        more = base.copy()
        more[0, i] += 0.3 * sign
        assert meaning.probability(more, ["esco"], w)[0] > p, meaning.FEATURES[i]
    scheme_bias = {**w, "scheme": {"onet-dwa": -1.0}}
    assert meaning.probability(base, ["onet-dwa"], scheme_bias)[0] < meaning.probability(base, ["esco"], w)[0]


def test_link_scores_are_in_range_and_the_scheme_filter_holds_with_meaning():
    for scheme in ("esco", "onet-tools", "onet-dwa"):
        ranked = link("repair hydraulic and pneumatic systems on production equipment", k=5, scheme=scheme)
        assert ranked and all(c.scheme == scheme and 0.0 <= s <= 1.0 for c, s in ranked)
    assert [s for _, s in link("weld steel", k=5)] == sorted(
        (s for _, s in link("weld steel", k=5)), reverse=True
    )


def test_foreign_share_counts_label_words_the_text_does_not_say():
    linker = get_linker()
    roof = next(c.id for c in nlp.load_taxonomy().lookup("install roof windows"))
    assert linker.foreign_share(roof, {"install", "window", "roof"}) == 0.0
    assert 0.0 < linker.foreign_share(roof, {"install", "window"}) < 1.0
    assert linker.foreign_share(roof, set()) == 1.0


def test_sentence_concepts_carry_their_sentence_as_evidence():
    text = "Requirements:\nTake and record vital signs of patients. Schedule patient appointments in the EHR."
    found = sentence_concepts(text, schemes=("esco", "onet-dwa"), threshold=0.5)
    assert found
    for f in found:
        assert text[f.start : f.end] == f.sentence and f.score >= 0.5
        assert "Requirements:" not in f.sentence  # a heading alone expresses nothing
    assert any("vital signs" in f.concept.label for f in found)


def test_rank_concepts_for_a_task_statement_finds_its_activity():
    ranked = rank_concepts("Drive tractor-trailers to deliver freight to customers", 5, ("onet-dwa",))
    assert ranked and all(c.scheme == "onet-dwa" for c, _ in ranked)
    assert any("truck" in c.label.lower() or "vehicle" in c.label.lower() for c, _ in ranked)


def test_bad_input_yields_no_concepts():
    for text in ("", "   ", "\x00\x01\x02", "ääää ßßß", "这是一个中文句子，没有英文技能。"):
        assert sentence_concepts(text) == []
    assert rank_concepts("", 5) == []
