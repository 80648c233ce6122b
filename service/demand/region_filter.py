"""Postings within a region, in SQL on both dialects: the rule of `service.geo.allows_region` over the stored
`posting.geo` (lists of codes per kind, and the remote fields).

PostgreSQL asks `geo -> 'county' ?| ARRAY[...]` (JSONB); SQLite looks for the quoted code in
`json_extract(geo, '$.county')`, safe because codes are digits and letters only.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Boolean, ColumnElement, and_, false, func, or_, type_coerce
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped
from sqlmodel import col

from service.credentials.models import Credential
from service.geo import RegionMatch, region_match
from service.postings.models import Posting
from service.settings import DriftSettings

_GEO = col(Posting.geo)


class _JsonListHasAny(ColumnElement[bool]):
    """Whether the JSON list at `key` of a JSON column holds any of `values` (none given: whether it is
    empty)."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, column: ColumnElement | Mapped, key: str, values: Sequence[str] | None) -> None:
        self.column, self.key, self.values = column, key, tuple(values) if values is not None else None


@compiles(_JsonListHasAny)
def _sqlite(element: _JsonListHasAny, compiler, **kw) -> str:  # noqa: ANN001 - SQLAlchemy compiler
    listed = func.json_extract(element.column, f"$.{element.key}")
    if element.values is None:
        expr = func.coalesce(func.json_array_length(element.column, f"$.{element.key}"), 0) == 0
    else:
        expr = or_(*(listed.like(f'%"{value}"%') for value in element.values))
    return compiler.process(expr, **kw)


@compiles(_JsonListHasAny, "postgresql")
def _postgresql(element: _JsonListHasAny, compiler, **kw) -> str:  # noqa: ANN001 - SQLAlchemy compiler
    listed = type_coerce(element.column, postgresql.JSONB)[element.key]
    if element.values is None:
        expr = func.coalesce(func.jsonb_array_length(listed), 0) == 0
    else:
        expr = listed.has_any(postgresql.array(list(element.values)))
    return compiler.process(expr, **kw)


def _has_any(key: str, values: Sequence[str]) -> ColumnElement[bool]:
    return _JsonListHasAny(_GEO, key, values) if values else false()


def _remote_allowed(match: RegionMatch) -> ColumnElement[bool]:
    is_remote = _GEO["remote"].as_boolean().is_(True)
    if match.remote:
        return is_remote
    if not match.home_states:
        return false()
    whole_us = and_(_GEO["remote_country"].as_string() == "US", _JsonListHasAny(_GEO, "remote_states", None))
    return and_(is_remote, or_(_has_any("remote_states", match.home_states), whole_us))


def match_condition(match: RegionMatch) -> ColumnElement[bool]:
    """Postings that count for the region: a place within it, or remote work it may take."""
    return and_(
        _GEO.is_not(None),
        or_(
            _has_any("county", match.counties),
            _has_any("cbsa", match.cbsas),
            _has_any("state", match.states),
            _remote_allowed(match),
        ),
    )


def credential_region(credential: Credential, drift: DriftSettings) -> tuple[str, ...]:
    """The region a credential's demand is counted in: its codes, unless region matching is switched off."""
    return tuple(credential.region_codes or ()) if drift.match_region else ()


def region_condition(codes: Sequence[str]) -> ColumnElement[bool]:
    """Postings within the region of canonical `codes` (service/geo/codes.py)."""
    return match_condition(region_match(tuple(sorted(codes))))
