"""Region codes: how a credential's service region and the demand filter are written, and which posting
locations a region takes in.

Canonical codes (what is stored and answered): `state:OH`, `county:39035` (5-digit FIPS), `cbsa:17410` (OMB
2023 code) and, for the demand filter only, `remote`. Shorthands accepted on input: `OH` or `US-OH` (USPS
code), `39` (state FIPS), `39035` (county FIPS), `state:39`. A CBSA is always written with `cbsa:` (its codes
look like county FIPS codes).

A posting counts for a region when one of its places lies within it: a county of the region (or of one of its
CBSAs), a CBSA of the region, a place in one of its states. A remote posting counts when it allows one of the
region's states (`remote_states`), or allows the whole US (country US, no states named). A posting only
"somewhere in Ohio" does not count for a county region: it may be anywhere in the state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.geo.location import Location
from service.geo.tables import GeoTables

REMOTE = "remote"
KINDS = ("state", "county", "cbsa")
_PREFIXED = re.compile(r"^(state|county|cbsa):(.+)$", re.IGNORECASE)


class RegionCodeError(ValueError):
    """A region code that names nothing in the packaged tables (the message names it)."""


def _state(tables: GeoTables, value: str, raw: str) -> str:
    value = value.upper()
    if value.isdigit() and value in tables.state_by_fips:
        return f"state:{tables.state_by_fips[value]}"
    if value in tables.states:
        return f"state:{value}"
    raise RegionCodeError(f"region code {raw!r} is not a US state (USPS code like OH, or FIPS like 39)")


def _county(tables: GeoTables, value: str, raw: str) -> str:
    if value in tables.counties:
        return f"county:{value}"
    retired = " (a Connecticut county retired in 2022: use its planning region)"
    hint = retired if value in tables.retired_counties else ""
    raise RegionCodeError(f"region code {raw!r} is not a US county FIPS code (5 digits like 39035){hint}")


def _cbsa(tables: GeoTables, value: str, raw: str) -> str:
    if value in tables.cbsas:
        return f"cbsa:{value}"
    raise RegionCodeError(f"region code {raw!r} is not an OMB 2023 CBSA code (like cbsa:17410)")


def parse_code(tables: GeoTables, raw: str, *, allow_remote: bool = False) -> str:
    """One code, in any accepted spelling → its canonical form; RegionCodeError naming it otherwise."""
    text = str(raw).strip()
    if allow_remote and text.lower() == REMOTE:
        return REMOTE
    prefixed = _PREFIXED.match(text)
    if prefixed:
        kind, value = prefixed.group(1).lower(), prefixed.group(2).strip()
        return {"state": _state, "county": _county, "cbsa": _cbsa}[kind](tables, value, text)
    if re.fullmatch(r"\d{5}", text):
        return _county(tables, text, text)
    if re.fullmatch(r"(?i:us-)?[A-Za-z]{2}|\d{2}", text):
        return _state(tables, text[-2:], text)
    kinds = "state:OH / OH / US-OH, county:39035 / 39035, cbsa:17410" + (", remote" if allow_remote else "")
    raise RegionCodeError(f"region code {text!r} is not a code we know (write {kinds})")


def parse_codes(tables: GeoTables, raws: Iterable[str], *, allow_remote: bool = False) -> tuple[str, ...]:
    """Codes → their canonical forms, sorted and without repeats; blank ones skipped."""
    return tuple(sorted({parse_code(tables, r, allow_remote=allow_remote) for r in raws if str(r).strip()}))


def region_codes(location: Location) -> tuple[str, ...]:
    """A service region named in words → its codes: each place by its most specific code (the county, else the
    CBSA, else the state). "Lucas County, OH" is `county:39095`; "Northeast Ohio" is `state:OH`."""
    out = set()
    for place in location.places:
        if place.county:
            out.add(f"county:{place.county}")
        elif place.cbsa:
            out.add(f"cbsa:{place.cbsa}")
        elif place.state:
            out.add(f"state:{place.state}")
    return tuple(sorted(out))


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """What a posting's `geo` is compared with: the codes a place of it may have to lie within the region."""

    counties: tuple[str, ...] = ()
    cbsas: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    home_states: tuple[str, ...] = ()  # the states the region lies in: remote postings allowing them count
    remote: bool = False  # the `remote` code: every remote posting counts


def region_match(tables: GeoTables, codes: Iterable[str]) -> RegionMatch:
    """Canonical codes → what to compare postings with (a CBSA's counties included)."""
    by_kind: dict[str, set[str]] = {kind: set() for kind in KINDS}
    remote = False
    for code in codes:
        if code == REMOTE:
            remote = True
            continue
        kind, _, value = code.partition(":")
        by_kind[kind].add(value)
    counties = set(by_kind["county"])
    counties |= {fips for fips, (_name, cbsa) in tables.counties.items() if cbsa in by_kind["cbsa"]}
    home = set(by_kind["state"])
    home |= {tables.state_by_fips[fips[:2]] for fips in counties if fips[:2] in tables.state_by_fips}
    for cbsa in by_kind["cbsa"]:
        home |= set(tables.cbsa_states.get(cbsa, ()))
    return RegionMatch(
        tuple(sorted(counties)),
        tuple(sorted(by_kind["cbsa"])),
        tuple(sorted(by_kind["state"])),
        tuple(sorted(home)),
        remote,
    )


def allows_region(geo: dict | None, match: RegionMatch) -> bool:
    """Whether a posting's stored `geo` counts for the region (the rule the SQL filter applies too)."""
    if not geo:
        return False
    if set(geo.get("county") or ()) & set(match.counties) or set(geo.get("cbsa") or ()) & set(match.cbsas):
        return True
    if set(geo.get("state") or ()) & set(match.states):
        return True
    if not geo.get("remote"):
        return False
    if match.remote:
        return True
    allowed = set(geo.get("remote_states") or ())
    if allowed:
        return bool(allowed & set(match.home_states))
    return geo.get("remote_country") == "US" and bool(match.home_states)
