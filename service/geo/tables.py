"""The packaged reference tables (built by ``skillpulse geo build``), loaded once, with the lookups built on
them."""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from service.geo.names import county_key, fold

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE_FILES = {name: f"{name}.json.gz" for name in ("states", "counties", "cbsas", "places", "zips")}
# A bare city name (no state) is taken only for a large place beside which every namesake is tiny.
BARE_CITY_MIN_POPULATION = 200_000
BARE_CITY_DOMINANCE = 50
METRO_DOMINANCE = 10  # a metro named without its state: the largest of its name when this many times the next
_TITLE_STATES = re.compile(r",\s*([A-Z]{2}(?:-[A-Z]{2})*)\s*$")


@dataclass(frozen=True, slots=True)
class PlaceRow:
    state: str
    county: str | None
    cbsa: str | None
    population: int


@dataclass(slots=True)
class GeoTables:
    states: dict[str, tuple[str, str]]  # USPS → (FIPS, name)
    counties: dict[str, tuple[str, str | None]]  # FIPS → (name, CBSA)
    county_population: dict[str, int]
    retired_counties: dict[str, str]  # the old Connecticut counties: FIPS → name
    cbsas: dict[str, tuple[str, str]]  # code → (title, metro|micro)
    places: dict[str, dict[str, PlaceRow]]  # USPS → folded name → row
    zips: dict[str, str]  # ZIP → county FIPS or state FIPS
    state_by_name: dict[str, str] = field(default_factory=dict)
    state_by_fips: dict[str, str] = field(default_factory=dict)
    county_by_name: dict[tuple[str, str], str] = field(default_factory=dict)
    retired_by_name: dict[tuple[str, str], str] = field(default_factory=dict)
    county_anywhere: dict[str, list[str]] = field(default_factory=dict)  # county key → FIPS in every state
    cbsa_by_name: dict[str, set[str]] = field(default_factory=dict)
    cbsa_states: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cbsa_population: dict[str, int] = field(default_factory=dict)
    bare_places: dict[str, list[PlaceRow]] = field(default_factory=dict)

    def place(self, state: str, name: str) -> PlaceRow | None:
        return self.places.get(state, {}).get(fold(name))

    def bare_place(self, name: str) -> PlaceRow | None:
        """A city named without its state: only a large place that dwarfs every namesake (else None)."""
        rows = self.bare_places.get(fold(name), [])
        if not rows or rows[0].population < BARE_CITY_MIN_POPULATION:
            return None
        if len(rows) > 1 and rows[0].population < BARE_CITY_DOMINANCE * rows[1].population:
            return None
        return rows[0]

    def county(self, state: str, name: str) -> str | None:
        return self.county_by_name.get((state, county_key(name)))

    def cbsa_named(self, name: str, state: str | None = None) -> str | None:
        """The one CBSA a city of its title is called by (in STATE if given), else None."""
        codes = self.cbsa_by_name.get(fold(name), set())
        if state:
            codes = {code for code in codes if state in self.cbsa_states[code]}
        ranked = sorted(codes, key=lambda code: -self.cbsa_population.get(code, 0))
        if len(ranked) == 1:
            return ranked[0]
        if len(ranked) > 1 and not state:
            first, second = (self.cbsa_population.get(code, 0) for code in ranked[:2])
            if first >= METRO_DOMINANCE * max(second, 1):
                return ranked[0]
        return None


def _index(tables: GeoTables, principal_cities: dict[str, list]) -> GeoTables:
    tables.state_by_name = {fold(name): usps for usps, (_fips, name) in tables.states.items()}
    tables.state_by_fips = {fips: usps for usps, (fips, _name) in tables.states.items()}
    for fips, (name, _cbsa) in tables.counties.items():
        usps = tables.state_by_fips.get(fips[:2])
        if usps:
            tables.county_by_name[(usps, county_key(name))] = fips
            tables.county_anywhere.setdefault(county_key(name), []).append(fips)
    for fips, name in tables.retired_counties.items():
        tables.retired_by_name[(tables.state_by_fips[fips[:2]], county_key(name))] = fips
    by_name: dict[str, set[str]] = defaultdict(set)
    for code, (title, _kind) in tables.cbsas.items():
        match = _TITLE_STATES.search(title)
        tables.cbsa_states[code] = tuple(match.group(1).split("-")) if match else ()
        cities = title[: match.start()] if match else title
        parts = [part.strip() for part in cities.split("-")]
        for end in range(1, len(parts) + 1):  # "Dallas", "Dallas-Fort Worth", "Dallas-Fort Worth-Arlington"
            by_name[fold(" ".join(parts[:end]))].add(code)
        for _usps, city in principal_cities.get(code, []):
            by_name[fold(city)].add(code)
    tables.cbsa_by_name = dict(by_name)
    for fips, (_name, cbsa) in tables.counties.items():
        if cbsa:
            tables.cbsa_population[cbsa] = (
                tables.cbsa_population.get(cbsa, 0) + tables.county_population[fips]
            )
    bare: dict[str, list[PlaceRow]] = defaultdict(list)
    for rows in tables.places.values():
        for name, row in rows.items():
            bare[name].append(row)
    tables.bare_places = {name: sorted(rows, key=lambda r: -r.population) for name, rows in bare.items()}
    return tables


def _read(name: str, data_dir: Path) -> dict:
    path = data_dir / TABLE_FILES[name]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `skillpulse geo build` to make the geography tables")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def load_tables(data_dir: Path = DATA_DIR) -> GeoTables:
    states = {usps: (fips, name) for usps, (fips, name) in _read("states", data_dir).items()}
    counties_raw = _read("counties", data_dir)
    cbsas_raw = _read("cbsas", data_dir)
    places = {
        usps: {
            name: PlaceRow(usps, county or None, cbsa or None, pop)
            for name, (county, cbsa, pop) in rows.items()
        }
        for usps, rows in _read("places", data_dir).items()
    }
    tables = GeoTables(
        states=states,
        counties={fips: (name, cbsa or None) for fips, (name, cbsa, _pop) in counties_raw["current"].items()},
        county_population={fips: pop for fips, (_name, _cbsa, pop) in counties_raw["current"].items()},
        retired_counties=counties_raw["retired"],
        cbsas={code: (title, kind) for code, (title, kind, _cities) in cbsas_raw.items()},
        places=places,
        zips=_read("zips", data_dir),
    )
    return _index(tables, {code: cities for code, (_t, _k, cities) in cbsas_raw.items()})


@cache
def tables() -> GeoTables:
    """The packaged tables, loaded on first use."""
    return load_tables()
