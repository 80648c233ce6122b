"""A posting's location is stored as US codes (`geo`) when it is recorded, whatever the intake path."""

from __future__ import annotations

from service.postings.records import PostingRecord, normalise
from tests.support.postings import posting_body


async def test_the_region_text_becomes_codes_and_a_repost_stays_unchanged(api):
    body = posting_body(region="Toledo, OH 43604")
    created = (await api.post("/api/v1/postings", json=body)).json()
    detail = (await api.get(f"/api/v1/postings/{created['postings'][0]['id']}")).json()
    assert detail["geo"] == {
        "state": ["OH"],
        "county": ["39095"],
        "cbsa": ["45780"],
        "remote": False,
        "remote_states": [],
        "remote_country": None,
    }
    again = (await api.post("/api/v1/postings", json=body)).json()
    assert again["unchanged"] == 1


async def test_an_unknown_region_has_no_codes(api):
    created = (await api.post("/api/v1/postings", json=posting_body(region="Springfield"))).json()
    detail = (await api.get(f"/api/v1/postings/{created['postings'][0]['id']}")).json()
    assert detail["region"] == "Springfield" and detail["geo"] is None


def test_a_feed_location_object_wins_over_its_text():
    record = PostingRecord(
        source="ashby",
        external_id="1",
        title="Welder",
        text="MIG welding.",
        region="Dayton office",
        location={
            "location": "Dayton office",
            "address": {
                "postalAddress": {"addressLocality": "Dayton", "addressRegion": "OH", "postalCode": "45402"}
            },
        },
    )
    assert normalise(record).geo["county"] == ["39113"]
