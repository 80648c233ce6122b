"""The drift statistics against known values: textbook examples and scipy's own reference functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from service.demand.statistics import (
    Gate,
    benjamini_hochberg,
    cohens_h,
    compare_proportions,
    enough_data,
    fisher_exact_p,
    is_significant_change,
    needs_exact_test,
    severity_for,
    two_proportion_z_test,
)


def test_fisher_lady_tasting_tea():
    # Fisher (1935): 3 of 4 cups right each way; two-sided p = 34/70.
    assert fisher_exact_p(3, 4, 1, 4) == pytest.approx(34 / 70, rel=1e-12)


def test_fisher_scipy_documentation_example():
    # scipy.stats.fisher_exact docs: [[6, 2], [1, 4]] -> p = 0.10256...
    assert fisher_exact_p(6, 8, 1, 5) == pytest.approx(0.1025641025641026, rel=1e-9)


def test_z_test_hand_computed_and_equal_to_uncorrected_chi_square():
    z, p = two_proportion_z_test(45, 100, 60, 100)
    assert z == pytest.approx(2.12398, abs=1e-4)
    assert p == pytest.approx(0.03367, abs=1e-4)
    chi2, chi_p, _, _ = stats.chi2_contingency([[45, 55], [60, 40]], correction=False)
    assert z * z == pytest.approx(chi2, rel=1e-9)
    assert p == pytest.approx(chi_p, rel=1e-9)


def test_z_test_sign_follows_the_current_window():
    z, _ = two_proportion_z_test(60, 100, 45, 100)
    assert z < 0


def test_z_test_without_variation_is_not_significant():
    assert two_proportion_z_test(0, 50, 0, 80) == (0.0, 1.0)
    assert two_proportion_z_test(50, 50, 80, 80) == (0.0, 1.0)


@pytest.mark.parametrize("bad", [(-1, 10, 1, 10), (11, 10, 1, 10), (1, 0, 1, 10)])
def test_counts_are_checked(bad):
    with pytest.raises(ValueError):
        two_proportion_z_test(*bad)


def test_exact_test_chosen_for_small_expected_counts():
    assert needs_exact_test(1, 40, 3, 40)  # expected hits of 2 per window
    assert not needs_exact_test(45, 100, 60, 100)
    small = compare_proportions(1, 40, 3, 40)
    assert small.test == "fisher"
    assert small.p_value == pytest.approx(stats.fisher_exact([[1, 39], [3, 37]]).pvalue)
    large = compare_proportions(45, 100, 60, 100)
    assert large.test == "z"
    assert large.change == pytest.approx(0.15)


def test_compare_refuses_empty_windows():
    with pytest.raises(ValueError):
        compare_proportions(0, 0, 1, 10)


def test_benjamini_hochberg_paper_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 the first four are discoveries.
    p = [
        0.0001,
        0.0004,
        0.0019,
        0.0095,
        0.0201,
        0.0278,
        0.0298,
        0.0344,
        0.0459,
        0.3240,
        0.4262,
        0.5719,
        0.6528,
        0.7590,
        1.000,
    ]
    q = benjamini_hochberg(p)
    assert [value <= 0.05 for value in q] == [True] * 4 + [False] * 11
    assert q == pytest.approx(list(stats.false_discovery_control(p, method="bh")), rel=1e-12)


def test_benjamini_hochberg_keeps_input_order_and_monotonicity():
    p = [0.04, 0.01, 0.03, 0.5]
    q = benjamini_hochberg(p)
    assert q == pytest.approx(list(stats.false_discovery_control(p, method="bh")))
    assert q[1] <= q[2] <= q[0] <= q[3]
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError):
        benjamini_hochberg([0.1, 1.5])


def test_cohens_h_known_values():
    assert cohens_h(0.0, 1.0) == pytest.approx(math.pi)
    assert cohens_h(0.5, 0.5) == 0.0
    # phi = 2 asin(sqrt(p)): phi(0.5) = pi/2 and phi(0.25) = pi/3, so h = pi/6.
    assert cohens_h(0.25, 0.5) == pytest.approx(math.pi / 6)
    assert cohens_h(0.5, 0.25) == pytest.approx(-math.pi / 6)


def test_severity_bands():
    assert severity_for(0.1, 0.5, 0.8) == "low"
    assert severity_for(-0.6, 0.5, 0.8) == "medium"
    assert severity_for(0.8, 0.5, 0.8) == "high"


def test_gate_needs_direction_size_and_q():
    gate = Gate(q_level=0.05, min_abs_change=0.05, min_postings=30)
    rise = compare_proportions(6, 300, 75, 300)  # 2% -> 25%
    assert is_significant_change(rise, 0.001, gate, +1)
    assert not is_significant_change(rise, 0.001, gate, -1)
    assert not is_significant_change(rise, 0.2, gate, +1)
    tiny = compare_proportions(2000, 100000, 2400, 100000)  # significant but only 0.4 points
    assert tiny.p_value < 1e-6
    assert not is_significant_change(tiny, tiny.p_value, gate, +1)
    assert enough_data(30, 30, gate)
    assert not enough_data(300, 10, gate)


def test_fisher_matches_scipy_on_many_tables():
    import random

    rng = random.Random(42)
    for _ in range(300):
        n1, n2 = rng.randint(1, 400), rng.randint(1, 400)
        x1, x2 = rng.randint(0, min(n1, 12)), rng.randint(0, min(n2, 12))
        expected = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
        assert fisher_exact_p(x1, n1, x2, n2) == pytest.approx(expected, rel=1e-6, abs=1e-12), (
            x1,
            n1,
            x2,
            n2,
        )


def test_z_test_matches_scipy_normal_tail():
    for x1, n1, x2, n2 in [(10, 200, 30, 210), (500, 1000, 530, 1000), (1, 3000, 90, 300)]:
        z, p = two_proportion_z_test(x1, n1, x2, n2)
        assert p == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9, abs=1e-300)


def test_compare_many_agrees_with_one_by_one():
    import random

    from service.demand.statistics import compare_many

    rng = random.Random(9)
    n1, n2 = 1200, 300
    x1 = [rng.choice([0, 1, 2, 5, 40, 300, 1200]) for _ in range(200)]
    x2 = [rng.choice([0, 1, 3, 20, 75, 150, 300]) for _ in range(200)]
    p, exact = compare_many(x1, n1, x2, n2)
    for i in range(200):
        one = compare_proportions(x1[i], n1, x2[i], n2)
        assert p[i] == pytest.approx(one.p_value, rel=1e-12, abs=1e-300)
        assert bool(exact[i]) == (one.test == "fisher")
    with pytest.raises(ValueError):
        compare_many([5], 4, [1], 10)
    assert compare_many([], 10, [], 10)[0].size == 0


@pytest.mark.parametrize("cells", [4_000_000, 7])  # 7: a few tables at a time, the chunked path
def test_fisher_many_matches_scipy_and_the_scalar_test(monkeypatch, cells):
    import random

    from service.demand import statistics

    monkeypatch.setattr(statistics, "_FISHER_CELLS", cells)
    rng = random.Random(5)
    for n1, n2 in [(1, 1), (30, 2000), (400, 90), (1550, 380)]:
        x1 = np.array([rng.randint(0, min(n1, 25)) for _ in range(60)])
        x2 = np.array([rng.randint(0, min(n2, 25)) for _ in range(60)])
        many = statistics.fisher_exact_many(x1, n1, x2, n2)
        for i in range(60):
            a, b = int(x1[i]), int(x2[i])
            expected = stats.fisher_exact([[a, n1 - a], [b, n2 - b]]).pvalue
            assert many[i] == pytest.approx(expected, rel=1e-6, abs=1e-12), (a, n1, b, n2)
            assert many[i] == pytest.approx(fisher_exact_p(a, n1, b, n2), rel=1e-12, abs=1e-300)
    assert statistics.fisher_exact_many(np.array([], dtype=int), 5, np.array([], dtype=int), 5).size == 0


@pytest.mark.parametrize("level", [0.05, 0.2])
def test_screened_tests_give_the_discoveries_of_the_full_benjamini_hochberg(level):
    """compare_many's `above` skips only tables whose p-value exceeds the level, and `discoveries` (which sorts
    only the p-values at most the level) finds the same tests with the same q-values as the full procedure."""
    import random

    from service.demand.statistics import benjamini_hochberg_array, compare_many, discoveries

    rng = random.Random(11)
    for n1, n2 in [(1500, 300), (90, 60), (4000, 40)]:
        x1 = np.array([rng.choice([0, 0, 1, 2, 3, 8, 30, n1 // 3]) for _ in range(800)])
        x2 = np.array([min(n2, rng.choice([0, 1, 2, 5, 12, n2 // 2])) for _ in range(800)])
        p_full, exact_full = compare_many(x1, n1, x2, n2)
        q_full = benjamini_hochberg_array(p_full)
        p, exact = compare_many(x1, n1, x2, n2, above=level)
        found, q = discoveries(p, level)
        assert found.tolist() == np.flatnonzero(q_full <= level).tolist() and found.size
        assert q.tolist() == q_full[found].tolist() and p[found].tolist() == p_full[found].tolist()
        assert (exact == exact_full).all()
        assert ((p == p_full) | ((p == 1.0) & (p_full > level))).all()
    assert discoveries(np.array([0.5, 0.9]), 0.05)[0].size == 0
