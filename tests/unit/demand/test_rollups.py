"""The rollups' rules: which posting counts a fingerprint, what one adds, places as normalised locations."""

from __future__ import annotations

from datetime import date

import pytest

from service.demand.rollups import (
    TOTAL,
    Candidate,
    Canon,
    ConceptFlags,
    Delta,
    add_contribution,
    canonical,
    net,
    place_key,
)


def cand(pid: int, posted: date | None, status: str = "done", code: str | None = "15-1232.00", h: str = "a"):  # noqa: ANN201
    return Candidate(pid, 1, h, posted, code, status)


def test_the_earliest_countable_posting_counts_a_fingerprint_ties_by_id():
    best = canonical(
        [
            cand(5, date(2025, 3, 9)),
            cand(7, date(2025, 3, 2)),
            cand(3, date(2025, 3, 2)),
            cand(1, date(2025, 1, 1), status="pending"),  # not extracted: not counted
            cand(2, None),  # no date
            cand(4, date(2024, 1, 1), code=""),  # no occupation
            cand(9, date(2025, 5, 5), h="b"),
        ]
    )
    assert {key: c.id for key, c in best.items()} == {(1, "a"): 3, (1, "b"): 9}


def test_nothing_countable_means_not_counted():
    assert canonical([cand(1, None), cand(2, date(2025, 1, 1), status="failed")]) == {}
    with pytest.raises(ValueError):
        cand(2, None).counted_at(1)


def test_a_place_is_its_normalised_location():
    toledo = {"state": ["OH"], "county": ["39095"], "cbsa": ["45780"], "remote": False, "remote_states": []}
    same = {"cbsa": ["45780"], "county": ["39095", "39095"], "state": ["OH"], "remote": False}
    assert place_key(toledo) == place_key(same)
    assert place_key(toledo) != place_key({**toledo, "county": ["39049"]})
    assert place_key(None) == place_key({}) == place_key({"state": []})
    assert place_key({"remote": False}) != place_key(None)


def test_a_contribution_adds_one_total_and_one_per_concept_and_comes_off_exactly():
    canon = Canon(1, "a", 3, date(2025, 3, 2), "15-1232.00", 7)
    flags = [ConceptFlags("sql", "SQL", True, True), ConceptFlags("linux", "Linux", False, False)]
    deltas: dict = {}
    add_contribution(deltas, canon, flags, 1)
    base = (1, date(2025, 3, 2), "15-1232.00", 7)
    assert deltas == {
        (*base, TOTAL): Delta(1, 0, 0, None),
        (*base, "sql"): Delta(1, 1, 1, "SQL"),
        (*base, "linux"): Delta(1, 0, 0, "Linux"),
    }
    add_contribution(deltas, canon, flags, -1)
    assert net(deltas) == {}
    moved = Canon(1, "a", 5, date(2025, 3, 9), "15-1232.00", 7)
    add_contribution(deltas, moved, flags[:1], 1)
    assert set(net(deltas)) == {
        (1, date(2025, 3, 9), "15-1232.00", 7, TOTAL),
        (1, date(2025, 3, 9), "15-1232.00", 7, "sql"),
    }
