"""One named thing → a Place: a state, a city in a state, a county, a metro area, a ZIP code. Nothing guessed:
a name that could be several things, or nothing in the tables, gives None."""

from __future__ import annotations

import re

from service.geo.location import Place
from service.geo.names import COUNTY_WORDS, county_key, fold
from service.geo.tables import GeoTables

_DIRECTIONS = (
    "north central|south central|northeast|northwest|southeast|southwest|northern|southern|eastern|western|"
    "central|north|south|east|west|upstate|downstate|coastal|rural|mid"
)
_REGION = re.compile(rf"^(?:(?:{_DIRECTIONS})(?: and (?:{_DIRECTIONS}))?)\s+(.+)$")
_METRO_PREFIX = re.compile(r"^(?:greater|metro|metropolitan)\s+(.+)$")
_METRO_SUFFIX = re.compile(
    r"^(.+?)\s+(?:metropolitan statistical area|metropolitan area|metro area|metroplex|metro|msa|bay area|"
    r"area)$"
)
_PLACE_KIND = re.compile(r"^(?:city of |town of |village of )?(.+?)(?: city| town| village| township| cdp)?$")
# Names that are not in the tables by their everyday spelling.
ALIASES = {
    "nyc": ("NY", "new york"),
    "new york city": ("NY", "new york"),
    "dc": ("DC", "washington"),
    "washington dc": ("DC", "washington"),
}
# A state name that is as often a city or the capital: alone, it names nothing.
AMBIGUOUS_ALONE = {"washington"}
US_NAMES = {"us", "usa", "u s", "u s a", "united states", "united states of america", "america", "us only"}
COUNTRIES = {
    "canada": "CA",
    "mexico": "MX",
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "ireland": "IE",
    "germany": "DE",
    "france": "FR",
    "spain": "ES",
    "italy": "IT",
    "netherlands": "NL",
    "poland": "PL",
    "portugal": "PT",
    "india": "IN",
    "china": "CN",
    "japan": "JP",
    "singapore": "SG",
    "australia": "AU",
    "new zealand": "NZ",
    "brazil": "BR",
    "argentina": "AR",
    "colombia": "CO",
    "philippines": "PH",
    "israel": "IL",
    "south africa": "ZA",
    "nigeria": "NG",
    "kenya": "KE",
    "sweden": "SE",
    "denmark": "DK",
    "norway": "NO",
    "finland": "FI",
    "switzerland": "CH",
    "austria": "AT",
    "belgium": "BE",
    "romania": "RO",
    "ukraine": "UA",
    "pakistan": "PK",
    "vietnam": "VN",
    "egypt": "EG",
}
NON_US = {
    "europe",
    "emea",
    "apac",
    "latam",
    "asia",
    "africa",
    "worldwide",
    "global",
    "international",
    "earth",
    "ontario",
    "quebec",
    "british columbia",
    "alberta",
    "manitoba",
    "nova scotia",
    "saskatchewan",
    "new brunswick",
    "newfoundland",
    "toronto",
    "vancouver",
    "montreal",
    "london",
    "berlin",
    "paris",
}


def state_code(tables: GeoTables, text: str, *, strict_case: bool = False) -> str | None:
    """USPS code of a state named by its code (`OH`; upper case only with strict_case) or its name."""
    stripped = text.strip(" .")
    if len(stripped) == 5 and stripped[:3].upper() == "US-" and stripped[3:].upper() in tables.states:
        stripped = stripped[3:]  # ISO 3166-2: US-OH
    if len(stripped) == 2 and stripped.upper() in tables.states and (stripped.isupper() or not strict_case):
        return stripped.upper()
    folded = fold(stripped)
    if folded in ("d c", "dc", "washington dc", "washington d c"):
        return "DC"
    return tables.state_by_name.get(folded)


def country_of(text: str) -> str | None:
    """ "US" for the United States, an ISO code (or "??") for elsewhere named, None when not a country."""
    folded = fold(text)
    if folded in US_NAMES:
        return "US"
    if folded in COUNTRIES:
        return COUNTRIES[folded]
    return "??" if folded in NON_US else None


def _county_place(tables: GeoTables, fips: str) -> Place:
    return Place(tables.state_by_fips.get(fips[:2]), fips, tables.counties[fips][1])


def zip_place(tables: GeoTables, zip_code: str) -> Place | None:
    code = tables.zips.get(zip_code)
    if code is None:
        return None
    if len(code) == 2:
        return Place(tables.state_by_fips.get(code))
    return _county_place(tables, code)


def _metro_name(folded: str) -> str | None:
    match = _METRO_PREFIX.match(folded) or _METRO_SUFFIX.match(folded)
    return match.group(1) if match else None


def _metro(tables: GeoTables, name: str, state: str | None) -> Place | None:
    code = tables.cbsa_named(name, state)
    if code is None:
        return None
    states = tables.cbsa_states.get(code, ())
    return Place(state or (states[0] if len(states) == 1 else None), None, code)


def _is_county_name(folded: str) -> bool:
    return any(folded.endswith(" " + word) for word in COUNTY_WORDS)


def in_state(tables: GeoTables, text: str, state: str) -> Place | None:
    """A city, county or metro area named inside a known state."""
    folded = fold(text)
    if not folded:
        return None
    if folded in ALIASES and ALIASES[folded][0] == state:
        folded = ALIASES[folded][1]
    if _is_county_name(folded):
        fips = tables.county(state, folded)
        if fips:
            return _county_place(tables, fips)
        return Place(state) if (state, county_key(folded)) in tables.retired_by_name else None
    metro = _metro_name(folded)
    if metro:
        return _metro(tables, metro, state)
    row = tables.place(state, folded) or tables.place(state, _PLACE_KIND.match(folded).group(1))
    if row:
        return Place(state, row.county, row.cbsa)
    return _metro(tables, folded, state) if "-" in text else None


def alone(tables: GeoTables, text: str) -> Place | None:
    """A name given without a state: a state, "Northeast Ohio", a metro, a county or a city that only one
    place of any size is called."""
    folded = fold(text)
    if not folded or folded in AMBIGUOUS_ALONE:
        return None
    state = state_code(tables, text, strict_case=True)
    if state:
        return Place(state)
    if folded in ALIASES:
        usps, name = ALIASES[folded]
        return in_state(tables, name, usps)
    region = _REGION.match(folded)
    if region and region.group(1) not in AMBIGUOUS_ALONE and state_code(tables, region.group(1)):
        return Place(state_code(tables, region.group(1)))
    if _is_county_name(folded):
        found = tables.county_anywhere.get(county_key(folded), [])
        return _county_place(tables, found[0]) if len(found) == 1 else None
    metro = _metro_name(folded)
    if metro:
        return _metro(tables, metro, None)
    row = tables.bare_place(folded)
    if row:
        return Place(row.state, row.county, row.cbsa)
    return _metro(tables, folded, None) if "-" in text else None
