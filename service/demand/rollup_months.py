"""The month rollups and the concept-first mention index, kept beside demand_rollup (the day rows) in the same
transaction: integer concept keys (demand_concept), month sums (demand_month: each row the sum of its month's
day rows), and each counted posting's concepts (demand_mention). service/demand/rollup_store.py calls these
from `retract`, `restore` and `write_deltas`; service/demand/rollup_rebuild.py rebuilds them in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.models import DemandConcept, DemandMention, DemandMonth
from service.demand.rollups import TOTAL, Canon, ConceptFlags, Delta, RollupKey, net

_CONCEPT = DemandConcept.__table__  # type: ignore[attr-defined]
_MONTH = DemandMonth.__table__  # type: ignore[attr-defined]
_MENTION = DemandMention.__table__  # type: ignore[attr-defined]
MONTH_KEY = ["org_id", "month", "occupation_code", "place_id", "concept"]
MENTION_KEY = ["org_id", "concept", "day", "posting_id"]
TOTAL_KEY = 0  # demand_month.concept of a total row
_CHUNK = 500

ConceptRef = tuple[int, str]  # (org_id, concept_id)


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _by_org(refs: Sequence[ConceptRef]) -> Iterable[tuple[int, list[str]]]:
    """Sorted (organisation, concept) pairs as (organisation, up to _CHUNK concept ids): an IN list on the
    unique index, which PostgreSQL plans better than a list of row values."""
    orgs: dict[int, list[str]] = {}
    for org, cid in refs:
        orgs.setdefault(org, []).append(cid)
    for org, cids in orgs.items():
        for chunk in _chunks(cids):
            yield org, list(chunk)


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def concept_keys(session: AsyncSession, labels: dict[ConceptRef, str | None]) -> dict[ConceptRef, int]:
    """The integer key of each (organisation, concept), adding the concepts not seen before and raising a
    stored label to a greater one (as the day rows keep the greatest label). Known concepts are only read,
    so concurrent workers do not queue on the rows of common concepts."""
    wanted = {ref: label for ref, label in labels.items() if ref[1] != TOTAL}
    out: dict[ConceptRef, int] = {}
    stored: dict[ConceptRef, str | None] = {}
    for _round in range(2):
        for org, chunk in _by_org(sorted(set(wanted) - set(out))):
            found = await session.execute(
                select(_CONCEPT.c.concept_id, _CONCEPT.c.id, _CONCEPT.c.label).where(
                    _CONCEPT.c.org_id == org, _CONCEPT.c.concept_id.in_(chunk)
                )
            )
            for cid, key, label in found.tuples():
                out[(org, cid)], stored[(org, cid)] = key, label
        missing = [
            {"org_id": org, "concept_id": cid, "label": wanted[(org, cid)]}
            for org, cid in sorted(set(wanted) - set(out))
        ]
        if not missing:
            break
        ins = _insert(session)(_CONCEPT).on_conflict_do_nothing(index_elements=["org_id", "concept_id"])
        for rows in _chunks(missing):
            await session.execute(ins, list(rows))
    for ref, label in sorted(wanted.items()):
        if label is not None and (stored.get(ref) is None or label > stored[ref]):  # type: ignore[operator]
            await session.execute(
                update(_CONCEPT)
                .where(_CONCEPT.c.id == out[ref])
                .where((_CONCEPT.c.label.is_(None)) | (_CONCEPT.c.label < label))
                .values(label=label)
            )
    return out


def month_deltas(deltas: dict[RollupKey, Delta], keys: dict[ConceptRef, int]) -> dict[tuple, Delta]:
    """Day-row deltas summed by (organisation, month, code, place, concept key)."""
    out: dict[tuple, Delta] = {}
    for (org, day, code, place, cid), d in deltas.items():
        concept = TOTAL_KEY if cid == TOTAL else keys[(org, cid)]
        into = out.setdefault((org, day.replace(day=1), code, place, concept), Delta())
        into.postings += d.postings
        into.required += d.required
        into.preferred += d.preferred
    return net(out)


async def write_month_deltas(session: AsyncSession, deltas: dict[RollupKey, Delta]) -> None:
    """Add the day-row deltas to the month rows (in key order) and drop the month rows they bring to zero."""
    labels: dict[ConceptRef, str | None] = {}
    for (org, _day, _code, _place, cid), d in deltas.items():
        have = labels.get((org, cid))
        labels[(org, cid)] = d.label if have is None or (d.label is not None and d.label > have) else have
    months = month_deltas(deltas, await concept_keys(session, labels))
    if not months:
        return
    ins = _insert(session)(_MONTH)
    stmt = ins.on_conflict_do_update(
        index_elements=MONTH_KEY,
        set_={name: _MONTH.c[name] + ins.excluded[name] for name in ("postings", "required", "preferred")},
    )
    keys = sorted(months)
    rows = [
        dict(zip(MONTH_KEY, key, strict=True))
        | {
            "postings": months[key].postings,
            "required": months[key].required,
            "preferred": months[key].preferred,
        }
        for key in keys
    ]
    for chunk in _chunks(rows, 2000):
        await session.execute(stmt, list(chunk))
    emptied = [key for key in keys if months[key].postings < 0]
    for chunk in _chunks(emptied):
        await session.execute(
            delete(_MONTH).where(tuple_(*(_MONTH.c[n] for n in MONTH_KEY)).in_(chunk), _MONTH.c.postings <= 0)
        )


async def _mention_rows(
    session: AsyncSession, counted: Sequence[tuple[Canon, Sequence[ConceptFlags]]]
) -> list:
    labels = {(c.org_id, f.concept_id): f.label for c, flags in counted for f in flags}
    keys = await concept_keys(session, labels)
    return [
        {
            "org_id": c.org_id,
            "concept": keys[(c.org_id, f.concept_id)],
            "day": c.day,
            "posting_id": c.posting_id,
            "occupation_code": c.occupation_code,
            "place_id": c.place_id,
        }
        for c, flags in counted
        for f in flags
    ]


async def add_mentions(
    session: AsyncSession, counted: Sequence[tuple[Canon, Sequence[ConceptFlags]]]
) -> None:
    """Index the concepts of postings now counted."""
    rows = await _mention_rows(session, counted)
    for chunk in _chunks(rows, 2000):
        await session.execute(_insert(session)(_MENTION), list(chunk))


async def drop_mentions(session: AsyncSession, posting_ids: Sequence[int]) -> None:
    """Take out the concepts of postings no longer counted where they were."""
    for chunk in _chunks(sorted(set(posting_ids))):
        await session.execute(delete(_MENTION).where(_MENTION.c.posting_id.in_(list(chunk))))


def month_of_day(dialect: str, day: Any) -> Any:
    """SQL: the first day of a date's month."""
    if dialect == "postgresql":
        return func.date_trunc("month", day).cast(_MONTH.c.month.type)
    return func.date(day, "start of month")
