from surveys.generation import IMPORTANCE_PER_PAGE, CompetencyRow, generate_questions
from surveys.questions import validate_definitions


def test_generated_survey_has_every_part_and_is_valid():
    competencies = [CompetencyRow(i, f"Competency {i}", label=None) for i in range(1, 9)]
    questions = generate_questions("CompTIA A+", competencies)
    validate_definitions(questions)
    roles = [q["role"] for q in questions]
    assert roles.count("importance") == 8
    for role in (
        "missing",
        "recognition",
        "outlook_roles",
        "outlook_hires",
        "sector",
        "size",
        "region",
        "partnership",
    ):
        assert role in roles
    importance = [q for q in questions if q["role"] == "importance"]
    assert [o["value"] for o in importance[0]["options"]] == [
        "essential",
        "important",
        "useful",
        "not_needed",
        "dont_know",
    ]
    assert (
        max(q["page"] for q in importance) == 2 and sum(q["page"] == 1 for q in importance) == 4
    )  # 8 → 4 + 4
    seven = generate_questions("X", competencies[:7])
    assert [sum(q["page"] == p and q["role"] == "importance" for q in seven) for p in (1, 2)] == [4, 3]
    six = generate_questions("X", competencies[:6])
    assert {q["page"] for q in six if q["role"] == "importance"} == {1} and IMPORTANCE_PER_PAGE == 6
    recognition = next(q for q in questions if q["role"] == "recognition")
    assert [o["value"] for o in recognition["options"]] == [
        "requires",
        "prefers",
        "not_considered",
        "unknown",
    ]
    assert "CompTIA A+" in recognition["text"] and recognition["text_es"]
    sector = next(q for q in questions if q["role"] == "sector")
    assert {"11", "31-33", "62", "92"} <= {o["value"] for o in sector["options"]} and len(
        sector["options"]
    ) == 20
    assert all(q["text_es"] or q["role"] == "importance" for q in questions)
    assert all(o.get("label_es") for q in questions for o in q["options"] if "value" in o)
    assert [q["position"] for q in questions] == list(range(1, len(questions) + 1))
