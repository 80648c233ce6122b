"""A competency statement's proposals include the O*NET work activity (DWA) it states (nlp.dwa_rank)."""

from __future__ import annotations

from service.credentials.linking import propose_links

# what O*NET itself links its vital-signs tasks to (Tasks to DWAs), any of which a designer would accept
VITAL_SIGNS = {
    "record vital statistics or other health information.",
    "measure the physical or physiological attributes of patients.",
    "assess physical conditions of patients to aid in diagnosis or treatment.",
    "monitor patient conditions during treatments, procedures, or activities.",
    "maintain health or medical records.",
    "maintain medical records.",
    "record patient medical histories.",
}


def dwa_labels(text: str) -> list[str]:
    found = propose_links([(text, None)]).proposals[0]
    return [p.label.lower() for p in found if p.concept_id.startswith("urn:onet:dwa:")]


def test_a_welding_competency_gets_a_welding_activity():
    got = dwa_labels("Weld components in flat, vertical or overhead positions")
    assert any("weld" in g for g in got), got


def test_a_patient_care_competency_gets_vital_signs():
    got = dwa_labels("Record patients' vital signs")
    assert VITAL_SIGNS & set(got), got
