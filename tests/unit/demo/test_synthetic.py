"""The synthetic posting generator: deterministic, spread over the year, and planting trends at their shares."""

from __future__ import annotations

from datetime import date

import pytest

from demo.synthetic import TEMPLATES, Trend, generate_postings
from service.postings.records import normalise


def test_deterministic_and_prefix_stable():
    first = [p.to_dict() for p in generate_postings(50, seed=3)]
    assert first == [p.to_dict() for p in generate_postings(50, seed=3)]
    assert first[:20] == [p.to_dict() for p in generate_postings(20, seed=3)]
    assert first != [p.to_dict() for p in generate_postings(50, seed=4)]
    assert [p.to_dict() for p in generate_postings(10, seed=3, first=40)] == first[40:]


def test_covers_the_occupations_dates_and_regions():
    postings = list(generate_postings(3000, start=date(2025, 1, 1), end=date(2025, 12, 31)))
    assert {p.occupation for p in postings} == set(TEMPLATES)
    assert {
        "15-1232.00",
        "15-1212.00",
        "51-4121.00",
        "31-9092.00",
        "15-2051.00",
        "51-4041.00",
        "51-9162.00",
    } <= set(TEMPLATES)
    assert {p.posted_at.month for p in postings} == set(range(1, 13))
    assert all(date(2025, 1, 1) <= p.posted_at <= date(2025, 12, 31) for p in postings)
    assert len({p.region for p in postings}) == 5
    assert len({p.external_id for p in postings}) == 3000
    assert len({normalise(p.record()).content_hash for p in postings}) == 3000
    body = postings[0].to_dict()
    assert set(body) == {
        "source",
        "external_id",
        "title",
        "employer",
        "text",
        "region",
        "posted_at",
        "occupation",
    }
    assert "Requirements" in body["text"].split("\n")


def test_a_planted_trend_rises_from_its_before_to_its_after_share():
    trend = Trend("15-1232.00", "Microsoft Azure", start=date(2025, 7, 1), before=0.02, after=0.25)
    postings = [p for p in generate_postings(20000, seed=5, trends=[trend]) if p.occupation == "15-1232.00"]
    before = [p for p in postings if p.posted_at < trend.start]
    after = [p for p in postings if p.posted_at >= trend.start]
    share_before = sum("Microsoft Azure" in p.planted for p in before) / len(before)
    share_after = sum("Microsoft Azure" in p.planted for p in after) / len(after)
    assert share_before == pytest.approx(0.02, abs=0.01)
    assert share_after == pytest.approx(0.25, abs=0.03)
    planted = next(p for p in after if p.planted)
    assert "- Experience with Microsoft Azure" in planted.text.split("\n")
    assert all("Microsoft Azure" not in p.text for p in postings if not p.planted)
    others = [p for p in generate_postings(2000, seed=5, trends=[trend]) if p.occupation != "15-1232.00"]
    assert not any(p.planted for p in others)


def test_a_ramp_rises_month_by_month():
    trend = Trend(
        "51-4121.00", "Robotic welding", start=date(2025, 3, 1), before=0.0, after=0.3, ramp_months=3
    )
    assert trend.share(date(2025, 2, 28)) == 0.0
    assert trend.share(date(2025, 3, 10)) == pytest.approx(0.1)
    assert trend.share(date(2025, 5, 1)) == pytest.approx(0.3)
    assert trend.share(date(2026, 1, 1)) == pytest.approx(0.3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="no template"):
        list(generate_postings(1, occupations=["99-9999.00"]))
    with pytest.raises(ValueError, match="before start"):
        list(generate_postings(1, start=date(2025, 2, 1), end=date(2025, 1, 1)))
    assert "occupation" not in next(generate_postings(1, give_occupation=False)).to_dict()
