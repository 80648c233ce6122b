"""Coordinated skills yield one mention per conjunct; no mention crosses a sentence."""

import nlp
from nlp.coordination import conjunct_links
from nlp.segment import segments


def labels(text: str) -> list[str]:
    return [m.concept.label.lower() for m in nlp.extract(text) if m.concept is not None]


def test_hydraulic_and_pneumatic_systems_are_two_skills():
    found = [
        m for m in nlp.extract("Experience with hydraulic and pneumatic systems is required.") if m.concept
    ]
    names = " | ".join(f"{m.text} → {m.concept.label}" for m in found)
    assert len({m.concept.id for m in found}) >= 2, names
    assert any("hydraulic" in m.text for m in found) and any("pneumatic" in m.text for m in found), names
    assert all(m.requirement == "required" for m in found)


def test_conjunct_mentions_keep_their_own_characters():
    text = "Strong communication and interpersonal skills."
    for m in nlp.extract(text):
        assert text[m.start : m.end] == m.text


def test_no_mention_crosses_a_segment():
    text = (
        "We are hiring. Take vital signs and perform EKGs.\nRequirements:\n• Excel and QuickBooks\n"
        "• forklift certification; lift 50 lbs; read blueprints"
    )
    ranges = segments(text)
    for m in nlp.extract(text):
        assert any(s <= m.start and m.end <= e for s, e in ranges), m


def test_a_paragraph_reads_like_its_sentences():
    alone = {m.concept.id for m in nlp.extract("Take vital signs and perform EKGs.") if m.concept}
    joined = {
        m.concept.id for m in nlp.extract("We are hiring. Take vital signs and perform EKGs.") if m.concept
    }
    assert alone and alone <= joined


def test_a_phrase_with_its_place_or_purpose_links_by_what_it_asks_for():
    ((start, end, concept, score),) = conjunct_links("DNS on client computers", 0.3)
    assert (start, end) == (0, len("DNS on client computers"))  # the mention keeps its text
    assert concept is not None and "DNS" in concept.label and score >= 0.3


def test_a_compound_statement_splits_into_its_verb_clauses():
    from nlp import clauses

    assert clauses("Schedule appointments and manage patient check-in and check-out") == [
        "Schedule appointments",
        "manage patient check-in and check-out",
    ]
    assert clauses("Cut and prepare metal using oxy-fuel; inspect welds visually") == [
        "Cut and prepare metal using oxy-fuel",
        "inspect welds visually",
    ]
    # verbs that share one object, and nouns after a comma, are one clause
    assert clauses("Install, configure and upgrade Windows and macOS operating systems") == []
    assert clauses("Set up and adjust welding machines, wire feeders and shielding gas flow") == []
    assert clauses("") == []
