from types import SimpleNamespace

from nlp import Concept, Mention
from surveys.extraction import mention_rows


def test_mentions_are_keyed_by_concept_id_like_posting_mentions():
    concept = Concept(
        id="urn:onet:tech:python",
        uri="https://www.onetonline.org/x",
        label="Python",
        scheme="onet-tools",
        kind="tool",
    )
    response = SimpleNamespace(id=7, org_id=2, survey_id=3)
    rows = mention_rows(
        response,
        11,
        [
            Mention(0, 6, "Python", "skill", concept, 0.9, None),
            Mention(8, 12, "grit", "skill", None, 0.2, None),
        ],
    )
    assert rows[0] == {
        "org_id": 2,
        "survey_id": 3,
        "response_id": 7,
        "question_id": 11,
        "start": 0,
        "end": 6,
        "text": "Python",
        "kind": "skill",
        "concept_id": "urn:onet:tech:python",
        "concept_label": "Python",
        "score": 0.9,
    }
    assert rows[1]["concept_id"] is None and rows[1]["concept_label"] is None
