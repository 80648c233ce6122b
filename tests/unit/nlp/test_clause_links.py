"""Verb clauses linked whole, headings and lone generic words left out, HTML entities decoded in place."""

import nlp
from nlp.clause_links import is_heading, not_a_skill, verb_clauses
from nlp.coordination import conjunct_links
from nlp.entities import unescape_entities


def clause_texts(segment: str) -> list[str]:
    return [segment[s:e] for s, e in verb_clauses(segment)]


def test_verb_clauses_of_a_duty_sentence():
    segment = "Unload and stage pallets, scan cartons at receiving, and count stock weekly."
    assert clause_texts(segment) == [
        "Unload and stage pallets",
        "scan cartons at receiving",
        "count stock weekly",
    ]


def test_a_clause_may_follow_a_lead_in_and_a_bullet():
    assert clause_texts("- Ability to read schematics") == ["- Ability to read schematics"[2:]]
    assert clause_texts("You will calibrate torque wrenches") == ["You will calibrate torque wrenches"]


def test_a_noun_phrase_or_a_long_sentence_is_no_verb_clause():
    assert verb_clauses("Three years of warehouse experience") == []
    long = "Inspect " + "very " * 20 + "old machines"
    assert verb_clauses(long) == []


def test_headings_and_lone_generic_words_are_not_skills():
    for heading in (
        "Requirements:",
        "Key Responsibilities",
        "Physical Demands",
        "Minimum qualifications",
        "Skills",
    ):
        assert is_heading(heading), heading
    assert not is_heading("customer service") and not is_heading("requirements gathering")
    assert not_a_skill("learn") and not_a_skill(" Help ")
    assert not not_a_skill("welding")


def test_a_heading_is_never_a_mention():
    text = "Responsibilities:\nOperate a forklift safely.\nRequirements\nValid driver's license."
    found = nlp.extract(text, "53-7051.00")
    assert all(not is_heading(m.text) for m in found), found
    assert any(m.concept and "forklift" in m.concept.label.lower() for m in found), found


def test_a_clause_the_span_model_cuts_short_links_whole():
    text = "Log every request in the ticketing system."
    found = {m.concept.label.lower() for m in nlp.extract(text, "15-1232.00") if m.concept}
    assert any("help desk" in c or "ticketing" in c for c in found), found
    assert "work in teams" not in found


def test_entities_are_decoded_with_a_map_back():
    text = "Hydraulic &amp; pneumatic systems &ndash; PLCs"
    decoded, where = unescape_entities(text)
    assert decoded == "Hydraulic & pneumatic systems \u2013 PLCs"
    assert where is not None and len(where) == len(decoded) + 1
    assert text[where[decoded.index("pneumatic")] :].startswith("pneumatic")
    assert where[len(decoded)] == len(text)
    assert unescape_entities("R&D and Q&A; no entity") == ("R&D and Q&A; no entity", None)
    assert unescape_entities("AT&T;") == ("AT&T;", None)  # "&T;" is no character reference


def test_mentions_in_html_derived_text_keep_the_original_offsets():
    text = "Maintain hydraulic &amp; pneumatic systems."
    found = nlp.extract(text, "49-9041.00")
    assert found and all(text[m.start : m.end] == m.text for m in found), found
    labels = {m.concept.label.lower() for m in found if m.concept}
    assert any("pneumatic" in c for c in labels), labels
    assert all("&amp" not in m.text or "pneumatic" in m.text for m in found), found


def test_slashes_between_letters_are_no_conjunctions():
    parts = conjunct_links("A/C service", 0.3)
    assert len(parts) == 1 and parts[0][:2] == (0, len("A/C service"))
