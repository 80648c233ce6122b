"""Which rollup rows a dated read sums: whole months from the month rows, and days only where a bucket
begins or ends inside a month, whichever is fewer: the days inside it, or the month less the days outside.
Pure: service/demand/rollup_sums.py turns the pieces into SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

Bucket = tuple[str, date, date]  # (name, first day, last day), inclusive


@dataclass(slots=True)
class Pieces:
    months: dict[date, str] = field(default_factory=dict)  # month (its first day) -> bucket
    days: list[tuple[date, date, str, int]] = field(default_factory=list)  # (first, last, bucket, sign)


def month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months(lo: date, hi: date) -> list[date]:
    out, month = [], lo.replace(day=1)
    while month <= hi:
        out.append(month)
        month = month_end(month) + timedelta(days=1)
    return out


def pieces(buckets: Sequence[Bucket]) -> Pieces:
    """The month and day pieces whose signed sums give each bucket's counts (buckets must not overlap)."""
    out = Pieces()
    for name, lo, hi in buckets:
        for first in _months(lo, hi) if lo <= hi else []:
            last = month_end(first)
            start, end = max(lo, first), min(hi, last)
            inside = (end - start).days + 1
            if inside == (last - first).days + 1:
                out.months[first] = name
            elif inside <= (last - first).days + 1 - inside:
                out.days.append((start, end, name, 1))
            else:
                out.months[first] = name
                if start > first:
                    out.days.append((first, start - timedelta(days=1), name, -1))
                if end < last:
                    out.days.append((end + timedelta(days=1), last, name, -1))
    return out


def window_buckets(start: date, end: date, split: date) -> list[Bucket]:
    """A window cut at `split`: 'baseline' before it, 'current' from it on (aggregation.window_bucket)."""
    return [("baseline", start, min(end, split - timedelta(days=1))), ("current", max(start, split), end)]


def month_buckets(start: date, end: date) -> list[Bucket]:
    """Each 'YYYY-MM' of the range, clipped to it (aggregation.month_bucket)."""
    return [(f"{m:%Y-%m}", max(start, m), min(end, month_end(m))) for m in _months(start, end)]
