"""The demo's postings: reproducible, a year long, with two planted drifts, in words the extractor reads."""

from datetime import date, timedelta

import nlp
from demo.postings import CURRENT_DAYS, OCCUPATIONS, TEMPLATES, demo_postings, posting_count

TODAY = date(2026, 11, 23)


def _share(records, phrase: str, current: bool) -> float:
    start = TODAY - timedelta(days=CURRENT_DAYS - 1)
    chosen = [r for r in records if (r.posted_at >= start) == current]
    return sum(phrase in r.text for r in chosen) / len(chosen)


def test_reproducible_year_of_unique_postings():
    first = demo_postings(TODAY, seed=1)
    again = demo_postings(TODAY, seed=1)
    assert [(r.external_id, r.text) for r in first] == [(r.external_id, r.text) for r in again]
    assert len(first) == posting_count()
    assert (
        min(r.posted_at for r in first) >= TODAY - timedelta(days=364)
        and max(r.posted_at for r in first) <= TODAY
    )
    assert len({r.text for r in first}) == len(first)  # distinct content: demand counts every one


def test_the_planted_drifts_are_there():
    records = demo_postings(TODAY, seed=2)
    it = [r for r in records if r.occupation == "15-1232.00"]
    ma = [r for r in records if r.occupation == "31-9092.00"]
    assert (
        _share(it, "Microsoft Azure", current=False) < 0.1 < 0.3 < _share(it, "Microsoft Azure", current=True)
    )
    assert (
        _share(ma, "schedule appointments", current=False)
        > 0.3
        > 0.12
        > _share(ma, "schedule appointments", True)
    )


def _unread(phrases: list[tuple[str, str]]) -> list[str]:
    sentences = [TEMPLATES[kind][0].format(x=text) for kind, text in phrases]
    found = nlp.extract_many(sentences)
    return [
        text
        for (_, text), mentions in zip(phrases, found, strict=True)
        if not any(m.concept for m in mentions)
    ]


def test_the_planted_phrases_are_read_as_skill_concepts():
    """The story depends on these: each trend phrase must come out of the extractor as a concept."""
    trends = [phrase for o in OCCUPATIONS for phrase, _, _ in o.trends]
    assert not _unread(trends), "the demo's drifts would not be seen"


def test_most_steady_phrases_are_read_too():
    """Steady skills only set the scene (coverage, the demand chart); a retrained model may miss a few."""
    steady = [phrase for o in OCCUPATIONS for phrase, _ in o.skills]
    unread = _unread(steady)
    assert len(unread) <= len(steady) // 4, f"the extractor reads no concept in: {unread}"
