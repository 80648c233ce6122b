import pytest

from surveys.generation import CompetencyRow, generate_questions
from surveys.stats import compute_results, missing_skill_concepts, wilson_interval


def test_wilson_interval_matches_published_values():
    # Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662; 15/148 → 0.0624 to 0.1605
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    low, high = wilson_interval(15, 148)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)


def test_wilson_interval_edges():
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.27 < high < 0.28
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and 0.72 < low < 0.73
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def _questions():
    qs = generate_questions("IT Support", [CompetencyRow(1, "Networks"), CompetencyRow(2, "SQL")])
    return [{**q, "id": i} for i, q in enumerate(qs, start=1)]


def _response(i, comp1, size, recognition="requires", hires=2, region="Cuyahoga County"):
    return {
        "_id": i,
        "comp_1": comp1,
        "comp_2": "useful",
        "size": size,
        "sector": "54",
        "recognition": recognition,
        "expected_hires": hires,
        "region": region,
        "partnership": ["internships"],
    }


def test_results_shares_exclude_dont_know_and_count_recognition():
    responses = [
        _response(1, "essential", "1-9"),
        _response(2, "important", "1-9"),
        _response(3, "not_needed", "1-9"),
        _response(4, "dont_know", "10-49", recognition="unknown", hires=5),
    ]
    result = compute_results(_questions(), responses)
    comp = result["competencies"][0]
    assert comp["answers"] == 4
    assert comp["distribution"] == {
        "essential": 1,
        "important": 1,
        "useful": 0,
        "not_needed": 1,
        "dont_know": 1,
    }
    share = comp["essential_or_important"]
    assert share["n"] == 3 and share["count"] == 2 and share["share"] == pytest.approx(2 / 3, abs=1e-6)
    assert share["interval_95"] == [pytest.approx(v, abs=1e-6) for v in wilson_interval(2, 3)]
    assert result["recognition"]["requires_or_prefers"]["count"] == 3
    assert result["recognition"]["requires_or_prefers"]["n"] == 4
    assert result["hiring_outlook"]["expected_hires_total"] == 11
    assert result["partnership"]["distribution"]["internships"] == 4


def test_splits_suppress_groups_below_three():
    responses = [
        _response(1, "essential", "1-9"),
        _response(2, "important", "1-9"),
        _response(3, "useful", "1-9"),
        _response(4, "essential", "10-49", region="Secret Town"),
    ]
    result = compute_results(_questions(), responses)
    size = {g["group"]: g for g in result["splits"]["size"]}
    assert size["1-9"]["suppressed"] is False and size["1-9"]["respondents"] == 3
    assert size["10-49"] == {"group": "10-49", "label": "10 to 49 employees", "suppressed": True}
    region = result["splits"]["region"]
    assert region[0]["group"] == "cuyahoga county" and region[0]["respondents"] == 3
    assert all("Secret Town" not in str(g) for g in region)  # a small free-text group is not even named
    assert region[-1]["suppressed"] is True


def test_missing_skill_concepts_count_responses_not_mentions():
    mentions = [
        {
            "response_id": 1,
            "concept_id": "c:sql",
            "concept_label": "SQL",
            "text": "SQL",
            "answer": "SQL and more SQL",
        },
        {
            "response_id": 1,
            "concept_id": "c:sql",
            "concept_label": "SQL",
            "text": "SQL",
            "answer": "SQL and more SQL",
        },
        {
            "response_id": 2,
            "concept_id": "c:sql",
            "concept_label": "SQL",
            "text": "sql",
            "answer": "sql reports",
        },
        {
            "response_id": 2,
            "concept_id": "c:py",
            "concept_label": "Python",
            "text": "python",
            "answer": "sql reports",
        },
        {"response_id": 3, "concept_id": None, "concept_label": None, "text": "grit", "answer": "grit"},
    ]
    out = missing_skill_concepts(mentions)
    assert [(c["concept_id"], c["count"]) for c in out] == [("c:sql", 2), ("c:py", 1)]
    assert out[0]["quotes"] == ["SQL and more SQL", "sql reports"]
