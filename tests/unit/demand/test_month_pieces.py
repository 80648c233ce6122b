"""The month / day pieces of a dated read: every day of each bucket counted exactly once, with whole months
from the month rows and at most half a month of days at an edge."""

from __future__ import annotations

import random
from datetime import date, timedelta

from service.demand.month_pieces import month_buckets, month_end, pieces, window_buckets


def coverage(buckets) -> dict[str, dict[date, int]]:  # noqa: ANN001
    """Per bucket, how many times each day is counted by its pieces (months count every day of the month)."""
    made = pieces(buckets)
    out: dict[str, dict[date, int]] = {}
    for month, name in made.months.items():
        day = month
        while day <= month_end(month):
            out.setdefault(name, {})[day] = out.setdefault(name, {}).get(day, 0) + 1
            day += timedelta(days=1)
    for lo, hi, name, sign in made.days:
        day = lo
        while day <= hi:
            out.setdefault(name, {})[day] = out.setdefault(name, {}).get(day, 0) + sign
            day += timedelta(days=1)
    return {name: {d: n for d, n in days.items() if n} for name, days in out.items()}


def expected(buckets) -> dict[str, dict[date, int]]:  # noqa: ANN001
    out: dict[str, dict[date, int]] = {}
    for name, lo, hi in buckets:
        day = lo
        while day <= hi:
            out.setdefault(name, {})[day] = 1
            day += timedelta(days=1)
    return out


def test_each_day_of_each_bucket_counts_once():
    rng = random.Random(7)
    for _ in range(300):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(800))
        end = start + timedelta(days=rng.randrange(500))
        split = start + timedelta(days=rng.randrange((end - start).days + 2))
        for buckets in (window_buckets(start, end, split), month_buckets(start, end)):
            assert coverage(buckets) == expected(buckets), (start, end, split)


def test_whole_months_are_month_rows_and_edges_take_the_fewer_days():
    made = pieces(window_buckets(date(2025, 4, 2), date(2026, 6, 30), date(2026, 4, 2)))
    assert made.months[date(2025, 5, 1)] == "baseline" and made.months[date(2026, 5, 1)] == "current"
    assert made.months[date(2025, 4, 1)] == "baseline"  # 29 of 30 days: the month less April 1st
    assert (date(2025, 4, 1), date(2025, 4, 1), "baseline", -1) in made.days
    assert (date(2026, 4, 1), date(2026, 4, 1), "baseline", 1) in made.days  # the one April day of baseline
    assert made.months[date(2026, 4, 1)] == "current"
    assert (date(2026, 4, 1), date(2026, 4, 1), "current", -1) in made.days
    assert sum(hi.toordinal() - lo.toordinal() + 1 for lo, hi, _n, _s in made.days) == 3
    assert pieces(month_buckets(date(2025, 1, 1), date(2025, 12, 31))).days == []
