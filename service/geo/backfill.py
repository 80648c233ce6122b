"""Codes for rows stored before the geography existed: `posting.geo` from the posting's region text
(migration 0009 added the column; the feed's location object was not kept, so the text is all there is) and
`credential.region_codes` from the credential's region text (migration 0010).

Run by migration 0010 (so by `skillpulse db upgrade` and `serve`'s start-up upgrade) and by
`skillpulse geo backfill`. Idempotent: only rows still without codes are read, in batches by id, so a second
run reads only the rows whose text names nothing known (and writes nothing). Tables are declared here, not
imported from the models, so the migration keeps working as the models change.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.engine import Connection

from service.geo import normalise, region_codes_of_text

BATCH_SIZE = 1000

_POSTING = sa.table("posting", sa.column("id", sa.BigInteger), sa.column("region"), sa.column("geo", JsonB))
_CREDENTIAL = sa.table(
    "credential", sa.column("id", sa.Integer), sa.column("region"), sa.column("region_codes", JsonB)
)


@dataclass(slots=True)
class Filled:
    read: int = 0
    filled: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "filled": self.filled}


def _no_json(column: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """SQL NULL or a JSON null (a JSON column may store None either way)."""
    return sa.or_(column.is_(None), sa.cast(column, sa.Text) == "null")


def _batches(connection: Connection, table: sa.TableClause, pending: sa.ColumnElement[bool], size: int):
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.region)
            .where(pending, table.c.region.is_not(None), table.c.id > last)
            .order_by(table.c.id)
            .limit(size)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def fill_posting_geo(connection: Connection, batch_size: int = BATCH_SIZE) -> Filled:
    """`posting.geo` from `posting.region` where it is missing."""
    done = Filled()
    update = (
        sa.update(_POSTING).where(_POSTING.c.id == sa.bindparam("row_id")).values(geo=sa.bindparam("codes"))
    )
    for rows in _batches(connection, _POSTING, _no_json(_POSTING.c.geo), batch_size):
        done.read += len(rows)
        found = [(row_id, normalise(region)) for row_id, region in rows]
        changes = [{"row_id": i, "codes": loc.as_json()} for i, loc in found if loc.known]
        if changes:
            connection.execute(update, changes)
            done.filled += len(changes)
    return done


def fill_credential_regions(connection: Connection, batch_size: int = BATCH_SIZE) -> Filled:
    """`credential.region_codes` from `credential.region` where there are none."""
    done = Filled()
    column = _CREDENTIAL.c.region_codes
    pending = sa.or_(_no_json(column), sa.cast(column, sa.Text).in_(["[]"]))
    update = (
        sa.update(_CREDENTIAL)
        .where(_CREDENTIAL.c.id == sa.bindparam("row_id"))
        .values(region_codes=sa.bindparam("codes"))
    )
    for rows in _batches(connection, _CREDENTIAL, pending, batch_size):
        done.read += len(rows)
        changes = [{"row_id": i, "codes": region_codes_of_text(text)} for i, text in rows]
        changes = [change for change in changes if change["codes"]]
        if changes:
            connection.execute(update, changes)
            done.filled += len(changes)
    return done


def fill_all(connection: Connection, batch_size: int = BATCH_SIZE) -> dict[str, dict[str, int]]:
    return {
        "postings": fill_posting_geo(connection, batch_size).as_dict(),
        "credentials": fill_credential_regions(connection, batch_size).as_dict(),
    }
