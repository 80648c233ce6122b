"""Posting text → segments: sentences, bullets, headings, semicolon clauses; never overlapping, never huge."""

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.segment import MAX_SEGMENT_CHARS, segments


def parts(text: str) -> list[str]:
    return [text[s:e] for s, e in segments(text)]


def test_sentences_and_semicolon_clauses_of_a_welding_posting():
    text = (
        "Welder Fabricator. MIG and TIG welding of stainless steel; read weld symbols and blueprints; "
        "forklift certification preferred."
    )
    assert parts(text) == [
        "Welder Fabricator.",
        "MIG and TIG welding of stainless steel",
        "read weld symbols and blueprints",
        "forklift certification preferred.",
    ]


def test_headings_bullets_and_abbreviations():
    text = (
        "Requirements:\n• 2+ yrs exp. with HVAC-R systems\n- EPA 608 certification\n"
        "Nice to have: e.g. Python 3.11 and U.S. work authorization. Apply at www.example.com today!"
    )
    assert parts(text) == [
        "Requirements:",
        "• 2+ yrs exp. with HVAC-R systems",
        "- EPA 608 certification",
        "Nice to have: e.g. Python 3.11 and U.S. work authorization.",
        "Apply at www.example.com today!",
    ]


def test_short_semicolon_lists_stay_whole_and_hard_wrapped_lines_join():
    assert parts("Schedule: Monday; Tuesday; Friday") == ["Schedule: Monday; Tuesday; Friday"]
    wrapped = (
        "The technician will diagnose and repair\nresidential furnaces, heat pumps and\nair conditioners."
    )
    assert parts(wrapped) == [wrapped]


def test_inline_separators_of_run_on_lines():
    assert parts("Skills: customer service | cash handling - must pass a drug test - CDL-A preferred") == [
        "Skills: customer service",
        "cash handling",
        "must pass a drug test",
        "CDL-A preferred",
    ]


def test_overlong_runs_are_cut_and_junk_does_not_crash():
    long = ", ".join(["operate a forklift safely"] * 200)
    assert all(e - s <= MAX_SEGMENT_CHARS for s, e in segments(long))
    assert segments("") == [] and segments(" \n\t ") == []
    assert all(e > s for s, e in segments("\x00\x01\ufffd" * 1000))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .;:\n•-|,!?E3")), max_size=400))
def test_segments_are_ordered_trimmed_and_disjoint(text):
    last = 0
    for s, e in segments(text):
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert "\n" not in text[s:e] or text[s:e].replace("\n", " ")  # lines join only when wrapped
        last = e
