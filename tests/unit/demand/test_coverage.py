"""Coverage matching: links first, a fuzzy fallback above the threshold, a rejection blocks both."""

from __future__ import annotations

import pytest

from service.demand.coverage import CompetencyText, Link, match_concepts, weighted_coverage

COMPETENCIES = [
    CompetencyText(1, "Write SQL queries against relational databases"),
    CompetencyText(2, "Administer Linux servers", label="Linux administration"),
    CompetencyText(3, "Manage projects"),
]


def test_confirmed_and_suggested_links_cover():
    links = [Link(2, "c:linux", "confirmed"), Link(3, "c:pm", "suggested")]
    found = match_concepts([("c:linux", "Linux"), ("c:pm", "project management")], COMPETENCIES, links, 90)
    assert [(m.competency_id, m.method, m.status) for m in found["c:linux"]] == [(2, "link", "confirmed")]
    assert [(m.competency_id, m.method) for m in found["c:pm"]] == [(3, "link")]


def test_fuzzy_fallback_needs_the_threshold():
    found = match_concepts(
        [("c:sql", "SQL"), ("c:pm", "project management"), ("c:k8s", "Kubernetes")], COMPETENCIES, [], 90
    )
    assert [(m.competency_id, m.method, m.score) for m in found["c:sql"]] == [(1, "fuzzy", 100.0)]
    assert found["c:pm"] == []  # "Manage projects" scores about 85: below 90
    assert found["c:k8s"] == []
    lenient = match_concepts([("c:pm", "project management")], COMPETENCIES, [], 80)
    assert [m.competency_id for m in lenient["c:pm"]] == [3]


def test_a_rejected_link_blocks_the_fuzzy_match_for_that_pair_only():
    texts = COMPETENCIES + [CompetencyText(4, "Optimise SQL indexes")]
    found = match_concepts([("c:sql", "SQL")], texts, [Link(1, "c:sql", "rejected")], 90)
    assert [m.competency_id for m in found["c:sql"]] == [4]


def test_weighted_coverage():
    assert weighted_coverage({"a": 0.5, "b": 0.25, "c": 0.25}, {"a"}) == pytest.approx(0.5)
    assert weighted_coverage({"a": 0.6, "b": 0.2}, {"a", "b"}) == pytest.approx(1.0)
    assert weighted_coverage({}, {"a"}) is None
