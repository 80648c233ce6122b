"""demand_rollup's monthly partitions on PostgreSQL (migration 0014): made as upkeep first writes a month,
listed, and detached for archiving. SQLite has one plain table and nothing to do here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SCHEMA = "demand_rollup_parts"
_NAME = re.compile(r"^demand_rollup_(\d{4})_(\d{2})$")


class PartitioningUnsupported(Exception):
    """The database is not PostgreSQL: demand_rollup is one table there."""


class MonthNotAttached(Exception):
    """No partition of demand_rollup holds that month."""


@dataclass(frozen=True, slots=True)
class Partition:
    name: str  # in SCHEMA
    month: date | None  # None: the default partition


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def month_of(value: str) -> date:
    """'YYYY-MM' as the first day of that month (ValueError otherwise)."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"a month is YYYY-MM, got {value!r}")
    return date(int(found.group(1)), int(found.group(2)), 1)


async def ensure_months(session: AsyncSession, days: Iterable[date]) -> None:
    """Make the partitions of the months of `days` that have none yet (before rows of them are written)."""
    months = sorted({day.replace(day=1) for day in days})
    if not months or not _postgres(session):
        return
    await session.execute(
        text("SELECT count(demand_rollup_month(m)) FROM unnest(CAST(:months AS date[])) AS t(m)"),
        {"months": months},
    )


async def partitions(session: AsyncSession) -> list[Partition]:
    """The partitions attached to demand_rollup, months in order, the default last."""
    if not _postgres(session):
        raise PartitioningUnsupported("demand_rollup is partitioned on PostgreSQL only")
    rows = await session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'public.demand_rollup'::regclass ORDER BY c.relname"
        )
    )
    out: list[Partition] = []
    default: list[Partition] = []
    for (name,) in rows.tuples():
        found = _NAME.match(name)
        if found:
            out.append(Partition(name, date(int(found.group(1)), int(found.group(2)), 1)))
        else:
            default.append(Partition(name, None))
    return out + default


async def detach_month(session: AsyncSession, month: date) -> str:
    """Detach a month's partition from demand_rollup (its rows leave every demand read and drift run, and stay
    in `demand_rollup_parts.demand_rollup_YYYY_MM` to archive: pg_dump -t, then DROP TABLE). Returns its name.
    """
    attached = {p.month: p.name for p in await partitions(session)}
    name = attached.get(month.replace(day=1))
    if name is None:
        raise MonthNotAttached(f"no partition of demand_rollup holds {month:%Y-%m}")
    await session.execute(text(f'ALTER TABLE public.demand_rollup DETACH PARTITION {SCHEMA}."{name}"'))
    # the month rows sum the attached day rows: the detached month's leave with them (a rebuild recounts them)
    await session.execute(
        text("DELETE FROM demand_month WHERE month = :month"), {"month": month.replace(day=1)}
    )
    return f"{SCHEMA}.{name}"
