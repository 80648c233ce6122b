"""Storing postings in bulk: idempotent on (org, source, external id), one fingerprint per content.

A new posting is inserted and queued for extraction; a changed one is updated (and re-queued only when its
text, title or given occupation changed); an unchanged one is left untouched. The caller owns the transaction,
so a whole API batch, file or feed run is stored or nothing is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.db import insert_or_nothing
from service.demand.rollup_store import upkeep_postings
from service.postings.models import Posting
from service.postings.records import NormalPosting

_CHUNK = 500
_TABLE = Posting.__table__


@dataclass(slots=True)
class StoredPosting:
    index: int
    id: int
    source: str
    external_id: str
    status: str  # created | updated | unchanged
    content_hash: str
    duplicate_of: int | None = None


@dataclass(slots=True)
class IntakeSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    items: list[StoredPosting] = field(default_factory=list)

    @property
    def changed_any(self) -> bool:
        return bool(self.created or self.updated)


def _chunks(seq: Sequence, size: int = _CHUNK):  # noqa: ANN202 - a generator of slices
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


async def _existing(
    session: AsyncSession, org_id: int, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict]:
    found: dict[tuple[str, str], dict] = {}
    columns = [
        _TABLE.c.id,
        _TABLE.c.source,
        _TABLE.c.external_id,
        _TABLE.c.url,
        _TABLE.c.title,
        _TABLE.c.employer,
        _TABLE.c.text,
        _TABLE.c.region,
        _TABLE.c.geo,
        _TABLE.c.posted_at,
        _TABLE.c.content_hash,
        _TABLE.c.occupation_code,
        _TABLE.c.occupation_source,
        _TABLE.c.import_source_id,
    ]
    for chunk in _chunks(keys):
        rows = await session.execute(
            select(*columns).where(
                _TABLE.c.org_id == org_id, tuple_(_TABLE.c.source, _TABLE.c.external_id).in_(chunk)
            )
        )
        for row in rows.mappings():
            found[(row["source"], row["external_id"])] = dict(row)
    return found


def _occupation_fields(posting: NormalPosting, old: dict | None) -> dict:
    """A given occupation is stored as given; without one, a coded occupation stays (the worker codes it)."""
    if posting.occupation:
        fields = {"occupation_code": posting.occupation, "occupation_source": "given"}
        if old is None or old.get("occupation_code") != posting.occupation:
            fields["occupation_label"] = None
        return fields
    if old is not None and old.get("occupation_source") == "given":
        return {"occupation_code": None, "occupation_source": None, "occupation_label": None}
    return {}


def _plan_update(
    posting: NormalPosting, old: dict, index: int, import_source_id: int | None, now: object
) -> tuple[StoredPosting, dict | None]:
    """What an already stored posting becomes: unchanged, or the columns to update."""
    key = (posting.source, posting.external_id)
    fields = posting.stored_fields() | _occupation_fields(posting, old)
    changed = {name: value for name, value in fields.items() if old.get(name) != value}
    if not changed:
        return StoredPosting(index, old["id"], *key, "unchanged", posting.content_hash), None
    values = changed | {"updated_at": now}
    if import_source_id is not None and old.get("import_source_id") is None:
        values["import_source_id"] = import_source_id
    if "content_hash" in changed or "occupation_code" in changed:
        values |= {"extraction_status": "pending", "extraction_error": None}  # queued again for extraction
    return StoredPosting(index, old["id"], *key, "updated", posting.content_hash), values


def _insert_new(dialect: str):  # noqa: ANN202 - an insert construct that skips rows another writer just added
    return insert_or_nothing(dialect, _TABLE, ["org_id", "source", "external_id"])


async def store_postings(
    session: AsyncSession,
    org_id: int,
    postings: Sequence[NormalPosting],
    *,
    import_source_id: int | None = None,
) -> IntakeSummary:
    """Insert new postings, update changed ones, leave unchanged ones; returns what happened to each.

    A posting inserted meanwhile by a concurrent writer (another import, a retried request) is not an error:
    the insert skips it and it is treated as an existing posting."""
    last_index: dict[tuple[str, str], int] = {}
    for index, posting in enumerate(postings):
        last_index[(posting.source, posting.external_id)] = index  # the last copy in a batch wins
    existing = await _existing(session, org_id, list(last_index))
    now = utcnow()
    inserts: list[dict] = []
    updates: list[tuple[int, dict]] = []
    results: dict[int, StoredPosting] = {}
    for key, index in last_index.items():
        posting = postings[index]
        old = existing.get(key)
        if old is not None:
            results[index], values = _plan_update(posting, old, index, import_source_id, now)
            if values:
                updates.append((old["id"], values))
            continue
        inserts.append(_new_row(posting, org_id, import_source_id, now))

    raced = await _insert(session, inserts, last_index, results)
    if raced:
        found = await _existing(session, org_id, raced)
        for key in raced:
            index = last_index[key]
            results[index], values = _plan_update(postings[index], found[key], index, import_source_id, now)
            if values:
                updates.append((found[key]["id"], values))
    for row_id, values in updates:
        # Each update sets its own columns, so they go one statement each (changed postings are few).
        # Core on the table gets no tenancy criteria (service/tenancy.py): the org filter is explicit
        await session.execute(
            update(_TABLE).where(_TABLE.c.id == row_id, _TABLE.c.org_id == org_id).values(**values)
        )
    # A new date or place on a posting whose text and occupation stand (so it is not extracted again) moves
    # where demand counts it: its fingerprint is recounted now, in this transaction.
    recount = [row_id for row_id, values in updates if _moves_counts(values)]
    if recount:
        await upkeep_postings(session, recount)

    await _mark_duplicates(session, org_id, results)
    return _summary(results)


def _moves_counts(values: dict) -> bool:
    return bool(values.keys() & {"posted_at", "geo"}) and "extraction_status" not in values


def _new_row(posting: NormalPosting, org_id: int, import_source_id: int | None, now: datetime) -> dict:
    return (
        {"occupation_code": None, "occupation_label": None, "occupation_source": None}
        | posting.stored_fields()
        | _occupation_fields(posting, None)
        | {
            "org_id": org_id,
            "source": posting.source,
            "external_id": posting.external_id,
            "extraction_status": "pending",
            "import_source_id": import_source_id,
            "created_at": now,
            "updated_at": now,
        }
    )


async def _insert(
    session: AsyncSession,
    inserts: list[dict],
    last_index: dict[tuple[str, str], int],
    results: dict[int, StoredPosting],
) -> list[tuple[str, str]]:
    """Insert the new rows in chunks, recording each as created; returns the keys a concurrent writer took
    first (the insert skipped them)."""
    statement = _insert_new(session.get_bind().dialect.name)
    raced: list[tuple[str, str]] = []
    for chunk_start in range(0, len(inserts), _CHUNK):
        chunk = inserts[chunk_start : chunk_start + _CHUNK]
        rows = await session.execute(
            statement.returning(_TABLE.c.id, _TABLE.c.source, _TABLE.c.external_id), chunk
        )
        ids = {(r.source, r.external_id): r.id for r in rows}
        for values in chunk:
            key = (values["source"], values["external_id"])
            if key not in ids:
                raced.append(key)
                continue
            index = last_index[key]
            results[index] = StoredPosting(index, ids[key], *key, "created", values["content_hash"])
    return raced


def _summary(results: dict[int, StoredPosting]) -> IntakeSummary:
    summary = IntakeSummary()
    for index in sorted(results):
        item = results[index]
        summary.items.append(item)
        if item.status == "created":
            summary.created += 1
        elif item.status == "updated":
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary


async def _mark_duplicates(session: AsyncSession, org_id: int, results: dict[int, StoredPosting]) -> None:
    """Point each posting at the first posting of the organisation with the same content, if not itself."""
    hashes = sorted({item.content_hash for item in results.values()})
    first: dict[str, int] = {}
    for chunk in _chunks(hashes):
        rows = await session.execute(
            select(_TABLE.c.content_hash, func.min(_TABLE.c.id))
            .where(_TABLE.c.org_id == org_id, _TABLE.c.content_hash.in_(chunk))
            .group_by(_TABLE.c.content_hash)
        )
        first.update({h: i for h, i in rows.tuples()})
    for item in results.values():
        original = first.get(item.content_hash)
        item.duplicate_of = original if original is not None and original != item.id else None
