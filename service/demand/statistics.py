"""The statistics behind a drift alert: pure functions of counts, no I/O.

A drift alert must never come from noise, so every comparison of a baseline window with a current window goes
through the same gate: a two-proportion test (Fisher's exact test when any expected cell count is small, where
the normal approximation of the z-test is poor), Benjamini–Hochberg over every test made for one credential
(many concepts are tested at once, so raw p-values would raise false alarms), a minimum absolute change (a
significant but tiny shift is not worth a designer's time) and a minimum number of postings per window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

# Cochran's rule of thumb: the z-test's normal approximation needs every expected cell count >= 5.
SMALL_EXPECTED_COUNT = 5.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """A baseline proportion against a current one, with the test used and its two-sided p-value."""

    baseline_count: int
    baseline_total: int
    current_count: int
    current_total: int
    p_value: float
    test: str  # "z" | "fisher"

    @property
    def baseline_share(self) -> float:
        return self.baseline_count / self.baseline_total if self.baseline_total else 0.0

    @property
    def current_share(self) -> float:
        return self.current_count / self.current_total if self.current_total else 0.0

    @property
    def change(self) -> float:
        """Current share minus baseline share (a proportion, 0.05 = 5 points)."""
        return self.current_share - self.baseline_share

    @property
    def effect_size(self) -> float:
        """Cohen's h of the change (signed): comparable across small and large base rates."""
        return cohens_h(self.baseline_share, self.current_share)


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """The pooled two-proportion z statistic (x2/n2 minus x1/n1) and its two-sided p-value.

    With no variation at all (pooled share 0 or 1) there is nothing to test: z = 0, p = 1.
    """
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    if variance <= 0.0:
        return 0.0, 1.0
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    # 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2): exact to double precision and far cheaper than scipy per call.
    return z, math.erfc(abs(z) / math.sqrt(2.0))


@lru_cache(maxsize=65536)
def fisher_exact_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test on the 2x2 table [[x1, n1-x1], [x2, n2-x2]].

    Computed here from log-factorials rather than with scipy.stats.fisher_exact (checked against it in the
    unit tests) because a drift run makes hundreds of thousands of tests and scipy's call costs a millisecond.
    Cached: rare concepts produce the same small tables over and over within a run.
    """
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    # x1 follows the hypergeometric law given the margins; the two-sided p-value sums the probabilities of
    # every table no more likely than the observed one (scipy's definition, with the same relative tolerance).
    # The support is at most min(hits, misses, n1, n2) + 1 tables, small whenever this test is chosen.
    total, hits = n1 + n2, x1 + x2
    low, high = max(0, n1 - (total - hits)), min(hits, n1)
    k = np.arange(low, high + 1, dtype=np.float64)
    log_pmf = _log_choose_array(hits, k) + _log_choose_array(total - hits, n1 - k) - _log_choose(total, n1)
    observed = log_pmf[x1 - low]
    p = float(np.exp(log_pmf[log_pmf <= observed + math.log1p(1e-7)]).sum())
    return min(1.0, p)


def _log_choose_array(n: float | np.ndarray, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


_LOG_FACTORIALS = np.zeros(1)  # gammaln(i + 1) for i = 0, 1, ...: grown on demand, shared by every test


def _log_factorials(upto: int) -> np.ndarray:
    """gammaln(i + 1) for i = 0..at least `upto` (each value the one gammaln gives on its own: a table of them
    is looked up instead of evaluating gammaln for every cell of every test)."""
    global _LOG_FACTORIALS
    if _LOG_FACTORIALS.size <= upto:
        size = max(upto + 1, 2 * _LOG_FACTORIALS.size, 1024)
        _LOG_FACTORIALS = special.gammaln(np.arange(size, dtype=np.float64) + 1)
    return _LOG_FACTORIALS


def _log_choose_table(table: np.ndarray, n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """`_log_choose_array` of integer arrays, from the log-factorials: the same values, looked up."""
    return table[n] - table[k] - table[n - k]


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def needs_exact_test(x1: int, n1: int, x2: int, n2: int, small: float = SMALL_EXPECTED_COUNT) -> bool:
    """True when an expected count of the 2x2 table is below `small` (the z-test would be unreliable)."""
    total = n1 + n2
    if total == 0:
        return False
    hits = x1 + x2
    misses = total - hits
    smallest = min(n1, n2) * min(hits, misses) / total
    return smallest < small


def compare_proportions(
    x1: int, n1: int, x2: int, n2: int, small: float = SMALL_EXPECTED_COUNT
) -> Comparison:
    """Baseline x1/n1 against current x2/n2: Fisher's exact test for small counts, else the z-test."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both windows need at least one posting to compare proportions")
    if needs_exact_test(x1, n1, x2, n2, small):
        return Comparison(x1, n1, x2, n2, fisher_exact_p(x1, n1, x2, n2), "fisher")
    _, p = two_proportion_z_test(x1, n1, x2, n2)
    return Comparison(x1, n1, x2, n2, p, "z")


def compare_many(
    x1: Sequence[int] | np.ndarray,
    n1: int,
    x2: Sequence[int] | np.ndarray,
    n2: int,
    small: float = SMALL_EXPECTED_COUNT,
    above: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`compare_proportions` for many counts over the same two windows: (p-values, exact-test flags).

    A credential is tested on thousands of concepts per run; the z-tests run as one array expression and only
    the small tables go through Fisher's exact test, as array expressions too. With `above`, a small table
    whose own probability already exceeds it (its p-value, a sum that includes that probability, cannot be
    smaller) gets p = 1 without the exact test: a caller that only needs the p-values at or below `above` (a
    drift run's discoveries) skips most of them.
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both windows need at least one posting to compare proportions")
    a = np.asarray(x1, dtype=np.float64)
    b = np.asarray(x2, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("x1 and x2 need the same length")
    if a.size and (a.min() < 0 or b.min() < 0 or a.max() > n1 or b.max() > n2):
        raise ValueError("need 0 <= count <= total for every test")
    total = n1 + n2
    hits = a + b
    exact = min(n1, n2) * np.minimum(hits, total - hits) / total < small
    p = np.ones(a.size)
    large = np.flatnonzero(~exact)  # the z-test's tables (most of a drift run's are small)
    pooled = hits[large] / total
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    safe = np.where(variance > 0.0, variance, 1.0)
    z = np.where(variance > 0.0, (b[large] / n2 - a[large] / n1) / np.sqrt(safe), 0.0)
    p[large] = special.erfc(np.abs(z) / math.sqrt(2.0))
    small_tables = np.flatnonzero(exact)
    if above is not None and small_tables.size:
        small_tables = small_tables[
            _table_log_p(a[small_tables], n1, b[small_tables], n2) <= _log_ceiling(above)
        ]
    p[small_tables] = fisher_exact_many(
        a[small_tables].astype(np.int64), n1, b[small_tables].astype(np.int64), n2
    )
    return p, exact


def _log_ceiling(above: float) -> float:
    """The log-probability above which a table's p-value surely exceeds `above` (a margin of 1 % for the
    rounding of the two computations of the same logarithm)."""
    return math.log(above) + 0.01 if above > 0 else -math.inf


def _table_log_p(x1: np.ndarray, n1: int, x2: np.ndarray, n2: int) -> np.ndarray:
    """The log-probability of each observed 2x2 table under the hypergeometric law of its margins."""
    total, hits = n1 + n2, (x1 + x2).astype(np.int64)
    x1, table = x1.astype(np.int64), _log_factorials(total)
    return (
        _log_choose_table(table, hits, x1)
        + _log_choose_table(table, total - hits, n1 - x1)
        - _log_choose(total, n1)
    )


_FISHER_CELLS = 4_000_000  # tests x support cells evaluated at once (32 MB of float64)


def fisher_exact_many(x1: np.ndarray, n1: int, x2: np.ndarray, n2: int) -> np.ndarray:
    """`fisher_exact_p` of many tables sharing the margins n1, n2, as array expressions.

    With n1 and n2 fixed the hypergeometric law of a table depends only on its hits (x1 + x2), so each
    distinct hit count gets one row of log-probabilities over its support, and each table's p-value sums the
    probabilities of its row no greater than its own (the tolerance of `fisher_exact_p`).
    """
    x1 = np.asarray(x1, dtype=np.int64)
    x2 = np.asarray(x2, dtype=np.int64)
    out = np.empty(x1.size)
    if x1.size == 0:
        return out
    total = n1 + n2
    hits_all = x1 + x2
    present = np.bincount(hits_all)  # hits are small counts: a histogram is cheaper than np.unique's sort
    hits_of = np.flatnonzero(present)
    row_of = (np.cumsum(present > 0) - 1)[hits_all]
    low = np.maximum(0, n1 - (total - hits_of))
    high = np.minimum(hits_of, n1)
    width = int((high - low).max()) + 1
    k = low[:, None] + np.arange(width)[None, :]
    valid = k <= high[:, None]
    k = np.where(valid, k, low[:, None])
    hits, table = hits_of[:, None], _log_factorials(total)
    log_pmf = (
        _log_choose_table(table, hits, k)
        + _log_choose_table(table, total - hits, n1 - k)
        - _log_choose(total, n1)
    )
    log_pmf = np.where(valid, log_pmf, -np.inf)
    pmf = np.exp(log_pmf)
    observed = log_pmf[row_of, x1 - low[row_of]] + math.log1p(1e-7)
    step = max(1, _FISHER_CELLS // width)
    for start in range(0, x1.size, step):
        rows = row_of[start : start + step]
        keep = log_pmf[rows] <= observed[start : start + step, None]
        out[start : start + step] = (pmf[rows] * keep).sum(axis=1)
    return np.minimum(out, 1.0)


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    q_(i) = min over j >= i of p_(j) * m / j, capped at 1; a test is a discovery at FDR level q when q_i <= q.
    """
    return benjamini_hochberg_array(p_values).tolist()


def benjamini_hochberg_array(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """`benjamini_hochberg` as a NumPy array (no Python loop: thousands of tests per credential)."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return p
    if np.isnan(p).any() or p.min() < 0.0 or p.max() > 1.0:
        bad = next(v for v in p.tolist() if math.isnan(v) or not 0.0 <= v <= 1.0)
        raise ValueError(f"p-values must lie in [0, 1], got {bad!r}")
    order = np.argsort(p, kind="mergesort")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def discoveries(p_values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The tests whose Benjamini–Hochberg q-value is at most `level` (in input order) and those q-values, equal
    to `benjamini_hochberg_array`'s: only the p-values at most `level` can be discoveries (q >= p), and the
    others neither change the ranks of those (they sort after them) nor their q-values (each of their terms
    p * m / rank exceeds `level`), so only those are sorted."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    low = np.flatnonzero(p <= level)
    if not low.size:
        return low, np.empty(0)
    order = low[np.argsort(p[low], kind="mergesort")]  # ties in input order, as the full stable sort
    scaled = p[order] * m / np.arange(1, low.size + 1)
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    found = adjusted <= level
    at = np.argsort(order[found], kind="mergesort")
    return order[found][at], adjusted[found][at]


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h between two proportions (p2 against p1): 0.2 small, 0.5 medium, 0.8 large."""
    for p in (p1, p2):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"proportions must lie in [0, 1], got {p!r}")
    return 2.0 * math.asin(math.sqrt(p2)) - 2.0 * math.asin(math.sqrt(p1))


def severity_for(effect: float, medium: float, high: float) -> str:
    """low / medium / high from an effect size's magnitude against two thresholds."""
    size = abs(effect)
    if size >= high:
        return "high"
    if size >= medium:
        return "medium"
    return "low"


@dataclass(frozen=True, slots=True)
class Gate:
    """The thresholds a change must pass to count as drift (see DriftSettings)."""

    q_level: float = 0.05
    min_abs_change: float = 0.05
    min_postings: int = 30


def enough_data(baseline_total: int, current_total: int, gate: Gate) -> bool:
    """Both windows hold at least the minimum number of (distinct) postings."""
    return baseline_total >= gate.min_postings and current_total >= gate.min_postings


def is_significant_change(comparison: Comparison, q_value: float, gate: Gate, direction: int) -> bool:
    """The change goes in `direction` (+1 rise, -1 fall), passes BH at the gate's level and is large
    enough.
    """
    change = comparison.change * direction
    return q_value <= gate.q_level and change >= gate.min_abs_change - 1e-12


def _check_counts(x: int, n: int) -> None:
    if n <= 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= count <= total and total > 0, got count={x} total={n}")
