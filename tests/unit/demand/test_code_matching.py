"""A credential's concrete occupation codes: `matching_codes` answers what `code_matches` does pair by pair."""

from __future__ import annotations

import itertools

from service.demand.run_counts import code_matches, matching_codes

CONCRETE = ["15-1232.00", "15-1232.01", "15-1232", "15-12320.00", "15-1233.00", "29-1141.00", "29-1141"]
WANTED = ["15-1232", "15-1232.00", "29-1141", "29-1141.00", "15-123", "11-1011.00"]


def test_matching_codes_equals_code_matches_for_every_choice_of_codes():
    for size in range(len(WANTED) + 1):
        for wanted in itertools.combinations(WANTED, size):
            expected = [code for code in CONCRETE if code_matches(code, wanted)]
            assert matching_codes(CONCRETE, wanted) == expected, wanted


def test_a_six_digit_code_counts_itself_and_its_onet_children_only():
    assert matching_codes(CONCRETE, ["15-1232"]) == ["15-1232.00", "15-1232.01", "15-1232"]
    assert matching_codes(CONCRETE, ("15-1232.01",)) == ["15-1232.01"]
