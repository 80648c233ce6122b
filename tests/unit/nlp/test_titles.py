from nlp import code_occupation


def test_known_titles():
    assert code_occupation("Registered Nurse")[0] == "29-1141.00"
    assert code_occupation("Data Scientist")[0] == "15-2051.00"
    assert code_occupation("Sr. Accountant")[0] == "13-2011.00"
    code, label, score = code_occupation("Senior Software Engineer (m/f/d)")
    assert code.startswith("15-12") and label and 0 < score <= 1


def test_empty_and_noise():
    assert code_occupation("") is None
    assert code_occupation("   ") is None
    r = code_occupation("zzzz qqqq")
    assert r is None or 0 <= r[2] <= 1


def test_held_out_titles_are_not_indexed():
    from nlp.taxonomy import load_titles

    data = load_titles()
    assert data["held_out"] and not set(data["held_out"]) & set(data["index"])
