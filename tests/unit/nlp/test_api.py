import dataclasses
import pickle
import re

import pytest

import nlp
from nlp import Concept, Mention, extract, extract_many

POSTING = """Senior Data Engineer

Requirements:
- 3+ years of experience with Python and SQL
- Strong communication skills
- Experience designing REST services

Nice to have: Kubernetes, Terraform.
No degree required.
"""


def test_public_names():
    for name in (
        "extract",
        "extract_many",
        "link",
        "code_occupation",
        "Mention",
        "Concept",
        "EXTRACTOR_VERSION",
        "load_taxonomy",
        "get_extractor",
    ):
        assert hasattr(nlp, name), name


def test_version_identifies_model_and_taxonomy():
    v = nlp.EXTRACTOR_VERSION
    assert re.fullmatch(r"skillspan-ner-[0-9a-z]+\.[0-9a-f]{4}\+tax-[0-9a-f]{8}", v), v
    assert nlp.get_extractor().version == v


def test_concept_is_frozen():
    c = Concept(id="x", uri="x", label="X", scheme="custom", kind="skill")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.label = "Y"  # type: ignore[misc]


def test_mentions_shape_and_offsets():
    ms = extract(POSTING)
    assert ms, "a posting full of skills yields mentions"
    for m in ms:
        assert isinstance(m, Mention)
        assert POSTING[m.start : m.end] == m.text
        d = m.to_dict()
        assert set(d) == {"start", "end", "text", "kind", "concept", "score", "requirement"}
        assert d["kind"] in ("skill", "knowledge")
        assert d["requirement"] in ("required", "preferred", None)
        assert 0.0 <= d["score"] <= 1.0
        if d["concept"] is not None:
            assert set(d["concept"]) >= {"id", "uri", "label", "scheme"}
    texts = {m.text for m in ms}
    assert "Python" in texts and "SQL" in texts
    assert any("Kubernetes" in m.text and m.requirement == "preferred" for m in ms)
    assert any(m.text == "Python" and m.requirement == "required" for m in ms)
    assert not any("degree" in m.text.lower() for m in ms)


def test_extract_many_matches_extract_and_is_deterministic():
    texts = [POSTING, "", "We need a nurse with patient care experience.", POSTING]
    many = extract_many(texts, batch_size=2)
    assert len(many) == len(texts)
    assert many[1] == []
    assert [m.to_dict() for m in many[0]] == [m.to_dict() for m in extract(POSTING)]
    assert [m.to_dict() for m in many[0]] == [m.to_dict() for m in many[3]]


def test_results_pickle():
    ms = extract(POSTING)
    assert pickle.loads(pickle.dumps(ms)) == ms


def test_taxonomy_lookup():
    tax = nlp.load_taxonomy()
    assert len(tax) > 20_000
    kinds = {c.kind for c in tax.concepts.values()}
    assert kinds == {"skill", "knowledge", "tool"}
    (py,) = [c for c in tax.lookup("python") if c.scheme == "onet-tools"]
    assert py.kind == "tool" and py.uri.startswith("urn:onet:tech:")
    esco = tax.lookup("manage musical staff")[0]
    assert esco.scheme == "esco" and esco.id.startswith("http://data.europa.eu/esco/skill/")
    assert tax.attrs[py.id]["hot"] is True
