"""Offsets are always valid, whatever the input (hypothesis property test and hand-picked nasties)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp import extract, extract_many

SKILLY = st.sampled_from(
    [
        "Python",
        " SQL ",
        "communication skills",
        "\n- ",
        "must have ",
        "nice to have ",
        "<li>",
        "</li>",
        "&amp;",
        "😀",
        "\x00",
        "\u200b",
        "\r\n",
        "\t",
        "no degree required",
        "Java/C++",
        " (Excel) ",
        "Kenntnisse in Python",
        "日本語",
        "é",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300), st.lists(st.one_of(SKILLY, st.text(max_size=20)), max_size=40).map("".join)
)


def check(text, mentions):
    last = None
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.text.strip() == m.text
        if last is not None:
            assert (m.start, m.end) >= last
        last = (m.start, m.end)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_offsets_property(text):
    check(text, extract(text))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, max_size=5))
def test_offsets_property_many(texts):
    for text, ms in zip(texts, extract_many(texts, batch_size=2), strict=True):
        check(text, ms)


def test_nasty_inputs():
    cases = [
        "",
        " ",
        "\n\n\n",
        "<html><body><ul><li>Python &amp; SQL</li><li>Project management</li></ul></body></html>",
        "Wir suchen Erfahrung mit Python und SQL. Kommunikationsfähigkeit ist ein Muss.",
        "Требуется опыт работы с Python и SQL.",
        "経験: Python, SQL, プロジェクト管理",
        "🚀 Experience with Python 🐍 and SQL 💾 required! 👩‍💻",
        "Python\x00SQL\x01\x02\x1b[31mred\x7f Excel\u2028Java\u2029C#",
        "a" * 5000,
        "Python " * 2000,
    ]
    for text in cases:
        check(text, extract(text))
