"""HTML → clean text, normalisation and the content fingerprint."""

from __future__ import annotations

from datetime import date

import pytest

from service.postings.htmltext import clean_plain_text, html_to_text
from service.postings.records import (
    PostingRecord,
    RecordError,
    content_hash,
    normalise,
    normalise_occupation,
    parse_date,
)


def test_headings_and_list_items_become_lines():
    text = html_to_text(
        "<div><h2>About</h2><p>We build <b>things</b>.<br>Daily.</p><h3>Requirements</h3>"
        "<ul><li>Python &amp; SQL</li><li>3 years <em>of</em> experience</li></ul>"
        "<script>alert(1)</script><style>p{}</style></div>"
    )
    assert text.split("\n") == [
        "About",
        "We build things.",
        "Daily.",
        "",
        "Requirements",
        "- Python & SQL",
        "- 3 years of experience",
    ]


def test_a_heading_governs_the_bullets_under_it():
    import nlp

    text = html_to_text(
        "<h3>Requirements</h3><ul><li>Python and SQL</li></ul><h3>Nice to have</h3><ul><li>Kubernetes</li></ul>"
    )
    found = {m.text: m.requirement for m in nlp.extract(text)}
    assert found["SQL"] == "required" and found["Kubernetes"] == "preferred"


def test_escaped_html_is_unescaped_once():
    assert html_to_text("&lt;p&gt;Hello &lt;strong&gt;world&lt;/strong&gt;&lt;/p&gt;") == "Hello world"


def test_tables_and_nested_lists_keep_their_words():
    text = html_to_text(
        "<table><tr><td>Shift</td><td>Nights</td></tr></table><ol><li>A<ul><li>B</li></ul></li></ol>"
    )
    assert "Shift Nights" in text
    assert "- A" in text.split("\n") and "- B" in text.split("\n")


def test_empty_and_plain_inputs():
    assert html_to_text("") == ""
    assert html_to_text("   ") == ""
    assert clean_plain_text("a   b\r\n\r\n\r\n\r\nc  ") == "a b\n\nc"


def test_fingerprint_ignores_markup_case_and_spacing_but_not_words():
    one = normalise(PostingRecord("a", "1", "Welder", html="<p>MIG  welding</p><ul><li>Steel</li></ul>"))
    two = normalise(PostingRecord("b", "2", "WELDER", text="MIG welding\n- steel"))
    three = normalise(PostingRecord("a", "3", "Welder", text="TIG welding\n- steel"))
    assert one.content_hash == two.content_hash
    assert one.content_hash != three.content_hash
    assert content_hash("t", "x") != content_hash("t", "y")


def test_text_that_looks_like_html_is_cleaned():
    posting = normalise(PostingRecord("s", "1", "T", text="<p>Hello</p><ul><li>World</li></ul>"))
    assert posting.text == "Hello\n\n- World"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02", date(2026, 3, 2)),
        ("2026-03-02T23:30:00-05:00", date(2026, 3, 3)),
        ("2026-03-02T10:00:00Z", date(2026, 3, 2)),
        ("Mon, 02 Mar 2026 10:00:00 GMT", date(2026, 3, 2)),
        (1767225600000, date(2026, 1, 1)),
        (1767225600, date(2026, 1, 1)),
        ("2026-02-15T00:00:00.0000", date(2026, 2, 15)),
        (None, None),
        ("", None),
    ],
)
def test_dates_in_the_shapes_feeds_use(value, expected):
    assert parse_date(value) == expected


def test_bad_values_are_refused_with_the_reason():
    with pytest.raises(RecordError, match="not a date"):
        parse_date("next tuesday")
    with pytest.raises(RecordError, match="O\\*NET-SOC"):
        normalise_occupation("welder")
    with pytest.raises(RecordError, match="external_id"):
        normalise(PostingRecord("s", " ", "T", text="x"))
    with pytest.raises(RecordError, match="neither title nor text"):
        normalise(PostingRecord("s", "1", "", text=""))


def test_occupation_codes():
    assert normalise_occupation("15-1232") == "15-1232.00"
    assert normalise_occupation("15-1232.01") == "15-1232.01"
    assert normalise_occupation("") is None
