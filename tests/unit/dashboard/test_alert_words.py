"""Plain-words statistics of alerts, from evidence shaped like the drift run stores it."""

from service.dashboard.alert_words import describe, window_dates, window_phrase

WINDOWS = {
    "current": {"from": "2026-08-26", "to": "2026-11-23"},
    "baseline": {"from": "2025-11-29", "to": "2026-08-25"},
}


def test_emerging_skill_states_counts_beside_shares_and_windows():
    evidence = {
        "windows": WINDOWS,
        "postings": {"baseline": 1380, "current": 412},
        "counts": {"baseline": 41, "current": 99},
        "shares": {"baseline": 0.0297, "current": 0.2403},
        "required": {"baseline": 10, "current": 60},
        "q_value": 0.00002,
        "tests": 140,
        "concept": {"id": "esco:x", "label": "Kubernetes"},
    }
    sentences = describe("emerging_skill", evidence)
    assert sentences[0] == (
        "\u201cKubernetes\u201d asked for in 24% of 412 postings in the last 3 months, up from 3% of 1,380 "
        "in the 9 months before."
    )
    assert "60 of those 99 postings list it as required." in sentences
    assert sentences[-1].startswith("The chance that a change this large is luck is far less than 1 in 1,000")
    assert "140 comparisons" in sentences[-1]


def test_fading_competency_says_down_and_below_floor():
    evidence = {
        "windows": WINDOWS,
        "postings": {"baseline": 900, "current": 300},
        "shares": {"baseline": 0.31, "current": 0.004},
        "q_value": 0.03,
        "tests": 12,
        "below_floor": True,
    }
    sentences = describe("fading_competency", evidence)
    assert "under 1% of 300 postings" in sentences[0] and "down from 31% of 900" in sentences[0]
    assert any("fallen below" in s for s in sentences)
    assert "less than 1 in 20" in sentences[-1]


def test_coverage_drop_names_the_uncovered_concepts():
    evidence = {
        "windows": WINDOWS,
        "postings": {"baseline": 900, "current": 300},
        "coverage": {"baseline": 0.8, "current": 0.55},
        "uncovered": [{"concept_id": "a", "label": "Terraform", "share": 0.2}],
    }
    sentences = describe("coverage_drop", evidence)
    assert sentences[0].startswith("The credential covers 55% of what employers ask for")
    assert "down from 80%" in sentences[0]
    assert sentences[1] == "Most asked for and not covered: Terraform (20%)."


def test_missing_fields_leave_sentences_out_rather_than_failing():
    assert describe("emerging_skill", {}) == []
    assert describe("unknown_kind", {"q_value": "x"}) == []


def test_window_phrases_and_dates():
    assert window_phrase({"from": "2026-01-01", "to": "2026-01-10"}, "x") == "10 days"
    assert window_phrase(None, "the current window") == "the current window"
    assert window_dates({"windows": WINDOWS}) == [
        ("Current window", "2026-08-26 to 2026-11-23"),
        ("Compared with", "2025-11-29 to 2026-08-25"),
    ]


def test_survey_gaps_in_words():
    named = {
        "signal": "named_missing",
        "named_by": 3,
        "respondents": 9,
        "share": 0.3333,
        "concept": {"id": "py", "label": "Python"},
    }
    assert describe("survey_gap", named) == [
        "3 of 9 responding employers (33%) name \u201cPython\u201d among the skills recent hires lack, "
        "and the credential does not cover it."
    ]
    low = {"signal": "low_rating", "low": 4, "rated": 6, "share": 0.6667}
    assert describe("survey_gap", low) == [
        "4 of the 6 employers who rated this competency (67%) call it of low importance."
    ]
