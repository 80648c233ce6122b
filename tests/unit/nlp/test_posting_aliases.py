"""Hand-written posting words (config/aliases.json) name their concept wherever a posting says them: inside a
longer span the model found, and whatever score the sentence's context gives the phrase."""

import nlp
from nlp.coordination import best_link


def concepts(text: str) -> dict[str, str]:
    return {m.text: m.concept.label for m in nlp.extract(text) if m.concept is not None}


def test_an_alias_inside_a_longer_span_names_its_concept():
    found = concepts("Our lot porters help with tire service and detailing on busy weekends.")
    assert "Tire changers" in found.values(), found


def test_an_alias_inside_a_span_keeps_its_own_characters():
    text = "Our lot porters help with tire service and detailing on busy weekends."
    for m in nlp.extract(text):
        assert text[m.start : m.end] == m.text


def test_an_alias_is_linked_whatever_its_context_score():
    concept, _ = best_link("EKG", 0.3, "Perform an EKG on each patient at intake.", None)
    assert concept is not None and "Electrocardiography" in concept.label


def test_a_phrase_that_is_no_alias_still_needs_the_threshold():
    concept, score = best_link("busy weekends", 0.3, "Work on busy weekends.", None)
    assert concept is None and score == 0.0
