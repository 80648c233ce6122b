from nlp import extract
from nlp.cues import TextCues


def cue(text, phrase):
    i = text.index(phrase)
    c = TextCues(text)
    return c.negated(i, i + len(phrase)), c.requirement(i, i + len(phrase))


def test_required_and_preferred_cues():
    assert cue("Python is required, Go is a plus.", "Python") == (False, "required")
    assert cue("Python is required, Go is a plus.", "Go") == (False, "preferred")
    assert cue("Must have: SQL.", "SQL") == (False, "required")
    assert cue("Minimum 3 years of Java.", "Java") == (False, "required")
    assert cue("Experience with AWS preferred.", "AWS") == (False, "preferred")
    assert cue("Bonus if you know Rust.", "Rust") == (False, "preferred")
    assert cue("Nice to have: Docker", "Docker") == (False, "preferred")
    assert cue("You will work with Excel every day.", "Excel") == (False, None)


def test_section_headings_govern_their_lines():
    text = "Requirements\n- SQL\n- Java\n\nNice to have\n- Kubernetes\n\nAbout us\nWe use Excel.\n"
    assert cue(text, "Java")[1] == "required"
    assert cue(text, "Kubernetes")[1] == "preferred"
    assert cue(text, "Excel")[1] is None


def test_negation():
    assert cue("No degree required.", "degree")[0] is True
    assert cue("No prior experience needed.", "experience")[0] is True
    assert cue("A degree is not required.", "degree")[0] is True
    assert cue("You don't need SQL for this job.", "SQL")[0] is True
    assert cue("Without prior sales experience is fine.", "sales experience")[0] is True
    assert cue("A degree in computer science is required.", "degree in computer science")[0] is False
    assert cue("Knowledge of SQL, no Java needed.", "SQL")[0] is False


def test_negated_skills_are_not_returned():
    text = "No degree required. No experience needed. Python is not required. Strong SQL skills are a must."
    ms = extract(text)
    for m in ms:
        assert "degree" not in m.text.lower()
        assert "experience" not in m.text.lower()
        assert m.text != "Python"
    assert any("SQL" in m.text and m.requirement == "required" for m in ms)
