"""A drift run's competency counts from the mention index (demand_mention): per (credential, window,
competency) the counted postings naming a concept the competency covers, each posting once however many of
those concepts it names. The database reads only the mentions of the covered concepts and groups each
posting's into a signature (the set it names); NumPy then tests every signature against every competency of
the credentials counting its occupation code. Equal to service/demand/run_counts.competency_counts."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from datetime import date

import numpy as np
from sqlalchemy import LargeBinary, case, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Competency, CompetencySkill
from service.demand.aggregation import COVERING_LINK_STATUSES
from service.demand.models import DemandConcept, DemandMention

_MENTION = DemandMention.__table__  # type: ignore[attr-defined]
_CONCEPT = DemandConcept.__table__  # type: ignore[attr-defined]

Covering = dict[int, tuple[int, list[int]]]  # competency id -> (credential id, its covered concept keys)


CoveringLinks = Iterable[tuple[int, int, str]]  # (credential id, competency id, concept id), covering links


async def _covering_links(session: AsyncSession, org_id: int) -> CoveringLinks:
    """The covering links of the organisation's live competencies."""
    comp, link = Competency.__table__, CompetencySkill.__table__  # type: ignore[attr-defined]
    links = await session.execute(  # core columns: thousands of rows
        select(comp.c.credential_id, comp.c.id, link.c.concept_id)
        .join(link, link.c.competency_id == comp.c.id)
        .where(
            comp.c.org_id == org_id,
            comp.c.deleted_at.is_(None),
            link.c.status.in_(COVERING_LINK_STATUSES),
        )
    )
    return links.tuples()


async def _covering(
    session: AsyncSession,
    org_id: int,
    credentials: set[int],
    links: CoveringLinks | None = None,
    key_of: dict[str, int] | None = None,
) -> Covering:
    """The covered concept keys of each live competency of the credentials (concepts never counted have no
    key and cannot be hit). `links` and `key_of` (the keys of every concept the window counts), when the
    caller has them, spare reading them."""
    if links is None:
        links = await _covering_links(session, org_id)
    found = [(int(cred), int(comp), cid) for cred, comp, cid in links if cred in credentials]
    if key_of is not None:
        return _covering_of(found, key_of)
    wanted = sorted({cid for _cred, _comp, cid in found})
    key_of = {}
    for i in range(0, len(wanted), 500):
        rows = await session.execute(
            select(_CONCEPT.c.concept_id, _CONCEPT.c.id).where(
                _CONCEPT.c.org_id == org_id, _CONCEPT.c.concept_id.in_(wanted[i : i + 500])
            )
        )
        key_of.update({cid: int(key) for cid, key in rows.tuples()})
    return _covering_of(found, key_of)


def _covering_of(found: list[tuple[int, int, str]], key_of: dict[str, int]) -> Covering:
    out: Covering = {}
    for cred_id, comp_id, cid in found:
        if cid in key_of:
            out.setdefault(comp_id, (cred_id, []))[1].append(key_of[cid])
    return out


async def _signatures(
    session: AsyncSession,
    org_id: int,
    places: tuple[int, ...] | None,
    dates: tuple[date, date, date],
    codes: list[str],
    keys: list[int],
) -> list[tuple[str, str, tuple[int, ...], int]]:
    """(code, window, the posting's covered concept keys, postings) over the window."""
    start, end, current_start = dates
    bucket = case((_MENTION.c.day >= current_start, literal("current")), else_=literal("baseline"))
    pg = session.get_bind().dialect.name == "postgresql"
    signature = (  # big-endian int4s in a bytea on PostgreSQL (cheaper to build, group and read than text)
        func.string_agg(
            func.int4send(_MENTION.c.concept),
            aggregate_order_by(literal(b"", LargeBinary), _MENTION.c.concept),
            type_=LargeBinary,
        )
        if pg
        else func.group_concat(_MENTION.c.concept, ",")
    )
    conds = [
        _MENTION.c.org_id == org_id,
        _MENTION.c.concept.in_(keys),
        _MENTION.c.day >= start,
        _MENTION.c.day <= end,
        _MENTION.c.occupation_code.in_(codes),
    ]
    if places is not None:
        conds.append(_MENTION.c.place_id.in_(list(places)))
    per_posting = (
        select(_MENTION.c.occupation_code.label("code"), bucket.label("bucket"), signature.label("signature"))
        .where(*conds)
        .group_by(_MENTION.c.posting_id, _MENTION.c.occupation_code, _MENTION.c.day)
        .subquery("per_posting")
    )
    rows = await session.execute(
        select(per_posting.c.code, per_posting.c.bucket, per_posting.c.signature, func.count()).group_by(
            per_posting.c.code, per_posting.c.bucket, per_posting.c.signature
        )
    )
    if pg:
        return [
            (code, bkt, struct.unpack(f">{len(sig) // 4}i", sig), int(n))
            for code, bkt, sig, n in rows.tuples()
        ]
    return [  # SQLite's group_concat has no order: one signature may come as several rows, which add up
        (code, bkt, tuple(sorted(int(k) for k in str(sig).split(","))), int(n))
        for code, bkt, sig, n in rows.tuples()
    ]


def _bits(sets: list[list[int]], words: int) -> np.ndarray:
    """Sets of concept positions as bitmasks, one row of `words` 64-bit words per set."""
    out = np.zeros((len(sets), words), dtype=np.uint64)
    sizes = np.fromiter((len(positions) for positions in sets), dtype=np.int64, count=len(sets))
    if not sizes.sum():
        return out
    rows = np.repeat(np.arange(len(sets)), sizes)
    at = np.fromiter((p for positions in sets for p in positions), dtype=np.uint64, count=int(sizes.sum()))
    np.bitwise_or.at(out, (rows, (at // 64).astype(np.int64)), np.uint64(1) << (at % np.uint64(64)))
    return out


def tally(
    signatures: list[tuple[str, str, tuple[int, ...], int]],
    covering: Covering,
    credential_codes: dict[int, list[str]],
) -> dict[int, dict[str, dict[int, int]]]:
    """Per credential, window and competency, the postings whose signature meets the competency's concepts
    (both as bitmasks over the covered concepts: a hit is a non-zero AND)."""
    keys = sorted({k for _cred, ks in covering.values() for k in ks})
    position = {k: i for i, k in enumerate(keys)}
    words = max(1, (len(keys) + 63) // 64)
    comp_ids = sorted(covering)
    covers = _bits([[position[k] for k in covering[c][1]] for c in comp_ids], words).T  # word x competency
    columns_of_code: dict[str, list[int]] = {}
    for j, comp_id in enumerate(comp_ids):
        for code in credential_codes.get(covering[comp_id][0], []):
            columns_of_code.setdefault(code, []).append(j)
    distinct = sorted({sig for _c, _b, sig, _n in signatures})
    row_of = {sig: i for i, sig in enumerate(distinct)}
    names = _bits(
        [[position[k] for k in sig if k in position] for sig in distinct], words
    )  # signature x word
    groups: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for code, bkt, sig, n in signatures:
        rows, counts = groups.setdefault((code, bkt), ([], []))
        rows.append(row_of[sig])
        counts.append(n)
    out: dict[int, dict[str, dict[int, int]]] = {}
    for (code, window), (rows, counts) in sorted(groups.items()):
        columns = columns_of_code.get(code)
        if not columns:
            continue
        met = names[rows][:, :, None] & covers[:, columns][None, :, :]  # signature x word x competency
        hits = (met != 0).any(axis=1)
        per_comp = (hits * np.asarray(counts, dtype=np.int64)[:, None]).sum(axis=0)
        for hit in np.flatnonzero(per_comp):
            comp_id = comp_ids[columns[hit]]
            into = out.setdefault(covering[comp_id][0], {}).setdefault(window, {})
            into[comp_id] = into.get(comp_id, 0) + int(per_comp[hit])
    return out


async def mention_competency_counts(
    session: AsyncSession,
    org_id: int,
    places: tuple[int, ...] | None,
    dates: tuple[date, date, date],  # start, end, current start
    credential_codes: dict[int, list[str]],
    links: CoveringLinks | None = None,
    key_of: dict[str, int] | None = None,
) -> dict[int, dict[str, dict[int, int]]]:
    """What run_counts.competency_counts answers, from the mention index (one query for the links unless
    given, one for the signatures of the whole region); `key_of`, the concept keys of every concept the
    window counts (a concept it does not count has no mention in it), spares looking up the links'."""
    if not credential_codes or places == ():
        return {}
    covering = await _covering(session, org_id, set(credential_codes), links, key_of)
    keys = sorted({k for _cred, ks in covering.values() for k in ks})
    codes = sorted({code for codes in credential_codes.values() for code in codes})
    if not keys or not codes:
        return {}
    signatures = await _signatures(session, org_id, places, dates, codes, keys)
    return tally(signatures, covering, credential_codes)
