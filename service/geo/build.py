"""``skillpulse geo build``: the packaged reference tables (service/geo/data/*.json.gz) from
../shared/data/geo.

Sources (vintages in NOTICE): OMB 2023 CBSA delineation (list1, list2), Census vintage-2023 FIPS codes,
the Census 2010 county list (USPS codes), MCDC Geocorr 2022 place ↔ county, simplemaps US cities, HUD-
USPS ZIP → county (Q1 2023).

Connecticut: the 2023 delineation and the vintage-2023 codes use the nine planning regions (09110–09190),
while Geocorr, simplemaps and HUD still name the eight old counties (09001–09015). A Connecticut place or
ZIP city is given its planning region through the town (county subdivision) of the same name, whose
vintage-2023 code names its planning region; a Connecticut place that is no town's namesake keeps its
state only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from pathlib import Path

from nlp.reference import REFERENCE_DATA
from service.geo.names import fold
from service.geo.tables import DATA_DIR, TABLE_FILES

DEFAULT_SOURCE = REFERENCE_DATA / "geo"
CT = "09"
# Territories the vintage-2023 state rows lack (only Puerto Rico is there); the USPS ↔ FIPS pairs come
# from the 2010 county list.
TERRITORY_NAMES = {
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "VI": "U.S. Virgin Islands",
}
_PLACE_KINDS = (
    "unified government",
    "consolidated government",
    "metro government",
    "city and borough",
    "urban county",
    "zona urbana",
    "comunidad",
    "municipality",
    "corporation",
    "township",
    "borough",
    "village",
    "town",
    "city",
    "cdp",
)
MAJORITY = 0.5  # a place's (or ZIP's) county: the one holding more than half of its people (or addresses)
DOMINANT = 10  # of two same-named places in one state, the larger wins when it is this many times the other


def _rows(path: Path, encoding: str = "utf-8", skip: int = 0) -> list[dict]:
    with path.open(encoding=encoding, newline="") as fh:
        for _ in range(skip):
            fh.readline()
        return list(csv.DictReader(fh))


def _geocodes(source: Path) -> list[list[str]]:
    """The Census vintage-2023 code rows (title rows and notes dropped)."""
    with (source / "all-geocodes-v2023.csv").open(encoding="latin-1", newline="") as fh:
        return [row for row in csv.reader(fh) if len(row) == 7 and row[0].isdigit()]


def place_names(place_name: str) -> list[str]:
    """Folded names of a Geocorr place: "San Buenaventura (Ventura) city, CA" → full and short name."""
    name = place_name.rsplit(",", 1)[0].replace("(balance)", "")
    names = []
    if "(" in name and ")" in name:
        inner = name[name.index("(") + 1 : name.index(")")]
        names.append(inner)
        name = name[: name.index("(")] + name[name.index(")") + 1 :]
    names.insert(0, name.split("/")[0])
    out = []
    for raw in names:
        folded = fold(raw)
        for kind in _PLACE_KINDS:
            if folded.endswith(" " + kind):
                folded = folded[: -len(kind) - 1]
                break
        if folded:
            out.append(folded)
    return out


def _states(source: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    names = {row[1]: row[6].strip() for row in _geocodes(source) if row[0] == "040"}
    usps_of = {}
    for line in (source / "national_county_2010.txt").read_text(encoding="latin-1").splitlines():
        usps, fips = line.split(",")[:2]
        usps_of[fips] = usps
    states = {}
    for fips, usps in usps_of.items():
        name = names.get(fips) or TERRITORY_NAMES.get(usps)
        if name:
            states[usps] = [fips, name]
    return states, {fips: usps for fips, usps in usps_of.items() if usps in states}


def _counties(source: Path) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """County FIPS → [name, CBSA, population]; the retired Connecticut counties; CT town → planning region."""
    counties, ct_towns = {}, {}
    for level, state, county, _sub, _place, _cons, name in _geocodes(source):
        if level == "050":
            counties[state + county] = [name.strip(), "", 0]
        elif level == "061" and state == CT:
            ct_towns[fold(name.strip().removesuffix(" town"))] = state + county
    for row in _rows(source / "list1_2023.csv"):
        fips = row["FIPS State Code"].zfill(2) + row["FIPS County Code"].zfill(3)
        if fips in counties:
            counties[fips][1] = row["CBSA Code"]
    for row in _rows(source / "geocorr2022_county_to_place.csv", encoding="latin-1")[1:]:
        if row["county"] in counties:  # 2020 population (the Connecticut planning regions have none)
            counties[row["county"]][2] += int(float(row["pop20"] or 0))
    retired = {}
    for line in (source / "national_county_2010.txt").read_text(encoding="latin-1").splitlines():
        _usps, state, county, name = line.split(",")[:4]
        if state == CT and state + county not in counties:
            retired[state + county] = name
    return counties, retired, ct_towns


def _cbsas(source: Path, usps_of: dict[str, str]) -> dict[str, list]:
    cbsas: dict[str, list] = {}
    for row in _rows(source / "list1_2023.csv"):
        kind = "metro" if row["Metropolitan/Micropolitan Statistical Area"].startswith("Metro") else "micro"
        cbsas.setdefault(row["CBSA Code"], [row["CBSA Title"], kind, []])
    for row in _rows(source / "list2_2023.csv", skip=1):
        entry = cbsas.get(row["CBSA Code"])
        usps = usps_of.get(row["FIPS State Code"].zfill(2))
        if entry and usps:
            entry[2].append([usps, row["Principal City Name"]])
    return cbsas


def _ct_region(name: str, ct_towns: dict[str, str]) -> str:
    return ct_towns.get(fold(name), "")


def _place_entry(shares: dict[str, float], counties: dict[str, list[str]]) -> tuple[str, str]:
    """(county, CBSA) of a place from its counties' population shares: the majority county, else none;
    the CBSA when the majority county has one, or when every county of the place lies in the same CBSA."""
    county = max(shares, key=shares.get)
    if shares[county] > MAJORITY:
        return county, counties.get(county, ["", "", 0])[1]
    cbsas = {counties.get(c, ["", "", 0])[1] for c, share in shares.items() if share >= 0.01}
    return "", cbsas.pop() if len(cbsas) == 1 else ""


def _candidates(source: Path, counties, usps_of, ct_towns) -> dict[tuple[str, str], list[list]]:
    """(USPS, folded name) → [[county, cbsa, population], ...] from Geocorr, then simplemaps for the rest."""
    geocorr: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    population: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in _rows(source / "geocorr2022_county_to_place.csv", encoding="latin-1")[1:]:
        if row["place"] == "99999":
            continue
        key = (row["stab"], row["state"] + row["place"], row["PlaceName"])
        geocorr[key][row["county"]] = geocorr[key].get(row["county"], 0.0) + float(row["afact2"] or 0)
        population[key] += int(float(row["pop20"] or 0))
    found: dict[tuple[str, str], list[list]] = defaultdict(list)
    for key, shares in geocorr.items():
        usps, _code, place_name = key
        names = place_names(place_name)
        if usps == "CT":
            region = next((ct_towns[n] for n in names if n in ct_towns), "")
            county, cbsa = region, counties.get(region, ["", "", 0])[1]
        else:
            county, cbsa = _place_entry(shares, counties)
        for name in names:
            found[(usps, name)].append([county, cbsa, population[key]])
    for row in _rows(source / "uscities_simplemaps_2023_clean.csv"):
        key = (row["state_id"], fold(row["city_ascii"]))
        if key in found or not key[1]:
            continue
        county = row["county_fips"].zfill(5)
        if row["state_id"] == "CT":
            county = _ct_region(row["city_ascii"], ct_towns)
        found[key].append([county, counties.get(county, ["", "", 0])[1], int(float(row["population"] or 0))])
    for name, region in ct_towns.items():
        found.setdefault(("CT", name), [[region, counties[region][1], 0]])
    return found


def _places(candidates: dict[tuple[str, str], list[list]]) -> dict[str, dict[str, list]]:
    """Per state, folded place name → [county, cbsa, population]; of same-named places the dominant one, or
    (none dominant) what they share."""
    places: dict[str, dict[str, list]] = defaultdict(dict)
    for (usps, name), entries in candidates.items():
        entries = sorted(entries, key=lambda e: -e[2])
        best = entries[0]
        if len(entries) > 1 and best[2] < DOMINANT * max(entries[1][2], 1):
            county = best[0] if all(e[0] == best[0] for e in entries) else ""
            cbsa = best[1] if all(e[1] == best[1] for e in entries) else ""
            best = [county, cbsa, best[2]]
        places[usps][name] = best
    return places


def _zips(source: Path, counties, ct_towns) -> dict[str, str]:
    """ZIP → its majority county (5 digits), or its state (2 digits) when no county holds most addresses."""
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    city: dict[str, str] = {}
    for row in _rows(source / "ZIP_COUNTY_032023.csv"):
        shares[row["ZIP"]][row["COUNTY"]] = float(row["TOT_RATIO"] or 0)
        city[row["ZIP"]] = row["USPS_ZIP_PREF_CITY"]
    zips = {}
    for zip_code, by_county in shares.items():
        county = max(by_county, key=by_county.get)
        state = county[:2]
        if state == CT:
            county = _ct_region(city[zip_code], ct_towns) or state
        elif by_county[county] <= MAJORITY or county not in counties:
            county = state
        zips[zip_code] = county
    return zips


def _write(name: str, data: object, out_dir: Path) -> int:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as fh:
        fh.write(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
    path = out_dir / TABLE_FILES[name]
    path.write_bytes(buffer.getvalue())
    return path.stat().st_size


def build_geo(source: Path = DEFAULT_SOURCE, out_dir: Path = DATA_DIR) -> dict:
    """Write the tables; returns their row counts and file sizes."""
    if not (source / "list1_2023.csv").exists():
        raise FileNotFoundError(f"{source} has no list1_2023.csv (the OMB 2023 delineation)")
    states, usps_of = _states(source)
    counties, retired, ct_towns = _counties(source)
    cbsas = _cbsas(source, usps_of)
    places = _places(_candidates(source, counties, usps_of, ct_towns))
    zips = _zips(source, counties, ct_towns)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "states": states,
        "counties": {"current": counties, "retired": retired},
        "cbsas": cbsas,
        "places": places,
        "zips": zips,
    }
    sizes = {name: _write(name, data, out_dir) for name, data in tables.items()}
    return {
        "states": len(states),
        "counties": len(counties),
        "cbsas": len(cbsas),
        "places": sum(len(v) for v in places.values()),
        "zips": len(zips),
        "bytes": sizes,
    }
