"""`POST /api/v1/extract` answers through the packaged pipeline, in the process pool."""

from __future__ import annotations

TEXT = (
    "Requirements: must have 3+ years of experience with Python and SQL. "
    "Nice to have: Kubernetes. No degree required."
)


async def test_extract_returns_mentions_with_valid_offsets(viewer_api):
    response = await viewer_api.post("/api/v1/extract", json={"text": TEXT})
    assert response.status_code == 200, response.text
    mentions = response.json()["mentions"]
    assert mentions, "expected at least one mention"
    for mention in mentions:
        assert TEXT[mention["start"] : mention["end"]] == mention["text"]
        assert mention["kind"] in {"skill", "knowledge"}
        assert mention["requirement"] in {"required", "preferred", None}
        if mention["concept"] is not None:
            assert mention["concept"]["uri"] and mention["concept"]["label"]
    texts = {m["text"].lower() for m in mentions}
    assert any("python" in t for t in texts)
    kubernetes = [m for m in mentions if "kubernetes" in m["text"].lower()]
    assert kubernetes and kubernetes[0]["requirement"] == "preferred"
    assert not any(m["text"].lower() == "degree" for m in mentions), "a negated skill is not demanded"


async def test_extract_empty_text_gives_no_mentions(api):
    response = await api.post("/api/v1/extract", json={"text": ""})
    assert response.status_code == 200
    assert response.json() == {"mentions": []}


async def test_extract_requires_text(api):
    response = await api.post("/api/v1/extract", json={"txt": "Python"})
    assert response.status_code == 400
    assert "text" in response.json()["detail"]


async def test_extract_refuses_overlong_text(api):
    response = await api.post("/api/v1/extract", json={"text": "a " * 100_001})
    assert response.status_code == 400
    assert "text" in response.json()["detail"]


CLERK = "Compose and type correspondence, make copies, handle incoming mail, answer phones."


async def test_extract_takes_the_texts_occupation(viewer_api):
    response = await viewer_api.post("/api/v1/extract", json={"text": CLERK, "occupation": "43-9061.00"})
    assert response.status_code == 200, response.text
    by_text = {m["text"].lower(): m["concept"] for m in response.json()["mentions"]}
    mail = by_text.get("handle incoming mail")
    assert mail is not None and "mail" in mail["label"].lower(), by_text


async def test_extract_refuses_a_malformed_occupation(api):
    response = await api.post("/api/v1/extract", json={"text": CLERK, "occupation": "office clerk"})
    assert response.status_code == 400
    assert "occupation" in response.json()["detail"]
