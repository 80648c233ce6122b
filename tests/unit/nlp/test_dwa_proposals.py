"""A competency statement's proposals include the O*NET work activity (DWA) it states (nlp.dwa_rank)."""

from __future__ import annotations

from service.credentials.linking import propose_links
from tests.support.dwa import VITAL_SIGNS


def dwa_labels(text: str) -> list[str]:
    found = propose_links([(text, None)]).proposals[0]
    return [p.label.lower() for p in found if p.concept_id.startswith("urn:onet:dwa:")]


def test_a_welding_competency_gets_a_welding_activity():
    got = dwa_labels("Weld components in flat, vertical or overhead positions")
    assert any("weld" in g for g in got), got


def test_a_patient_care_competency_gets_vital_signs():
    got = dwa_labels("Record patients' vital signs")
    assert VITAL_SIGNS & set(got), got
