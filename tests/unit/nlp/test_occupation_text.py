"""A posting's occupation from its title and text (nlp.occupation_text)."""

from nlp import code_occupation
from nlp.titles import get_title_coder

PCA = "Patient Care Assistant"  # O*NET lists it for nursing assistants and for orderlies


def test_the_title_alone_is_ambiguous():
    assert {"31-1131.00", "31-1132.00"} <= set(get_title_coder().candidates(PCA))


def test_the_text_decides_between_the_titles_occupations():
    care = "Help residents bathe, dress and eat; take vital signs and report changes to the nurse."
    moving = "Transport patients between units on stretchers and in wheelchairs; restock supplies."
    assert code_occupation(PCA, care)[0] == "31-1131.00"
    assert code_occupation(PCA, moving)[0] == "31-1132.00"
    code, title, score = code_occupation(PCA, care)
    assert title == "Nursing Assistants" and score == 1.0  # the title is one O*NET lists for it


def test_without_usable_text_the_title_coder_answers():
    for title in (PCA, "CNC Machinist", "Master Technician", "Registered Nurse"):
        alone = code_occupation(title)
        assert code_occupation(title, None) == alone
        assert code_occupation(title, "   ") == alone
        assert code_occupation(title, "zzzz qqqq 12345") == alone  # no word shared with any occupation


def test_no_title_no_code():
    assert code_occupation("", "Take vital signs.") is None
    assert code_occupation("   ", "Take vital signs.") is None
