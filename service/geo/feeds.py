"""Feed location objects → a Location.

- Greenhouse: `{"location": {"name": "Toledo, OH"}, "offices": [{"name", "location"}]}`
- Lever: `{"categories": {"location", "allLocations": [...]}, "workplaceType": "remote|hybrid|onsite",
  "country"}`
- Ashby: `{"location": "Toledo, OH", "isRemote", "workplaceType", "address": {"postalAddress": {...}},
  "secondaryLocations": [{"location", "address"}]}`
- schema.org: `JobPosting` (`jobLocation`: `Place`(s) with an `address`, `jobLocationType: TELECOMMUTE`,
  `applicantLocationRequirements`: `Country` / `State`(s)), `Place`, `PostalAddress`. A structured
  address wins over the same object's free text when it names a place.
"""

from __future__ import annotations

from service.geo import resolve
from service.geo.location import UNKNOWN, Location, Place, merge
from service.geo.tables import GeoTables
from service.geo.text import parse_text

MAX_DEPTH = 6
_POSTAL_KEYS = ("addressLocality", "addressRegion", "postalCode", "addressCountry")
_TEXT_KEYS = ("location", "locationName", "name")
_LIST_KEYS = ("offices", "secondaryLocations", "allLocations", "jobLocation", "locations")


def _text(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return str(value).strip() if isinstance(value, str | int) and str(value).strip() else None


def _postal(tables: GeoTables, address: dict) -> Location:
    country = resolve.country_of(_text(address.get("addressCountry")) or "")
    if country not in (None, "US"):
        return UNKNOWN
    region, locality = _text(address.get("addressRegion")), _text(address.get("addressLocality"))
    state = resolve.state_code(tables, region) if region else None
    zip_code = (_text(address.get("postalCode")) or "")[:5]
    by_zip = resolve.zip_place(tables, zip_code) if zip_code.isdigit() else None
    if by_zip and by_zip.county and state in (None, by_zip.state):
        return Location((by_zip,))
    if state:
        place = resolve.in_state(tables, locality, state) if locality else None
        return Location((place or Place(state),))
    if locality:
        return parse_text(tables, locality)
    return Location((by_zip,)) if by_zip else UNKNOWN


def _address(tables: GeoTables, address: object) -> Location:
    if isinstance(address, dict) and isinstance(address.get("postalAddress"), dict):
        address = address["postalAddress"]
    if isinstance(address, dict):
        return _postal(tables, address)
    return parse_text(tables, _text(address))


def _requirements(tables: GeoTables, value: object) -> tuple[tuple[str, ...], str | None]:
    """applicantLocationRequirements → (states allowed, country)."""
    items = value if isinstance(value, list) else [value]
    states, countries = set(), set()
    for item in items:
        name = _text(item)
        if not name:
            continue
        state = resolve.state_code(tables, name)
        if state:
            states.add(state)
            countries.add("US")
        elif resolve.country_of(name) not in (None, "??"):
            countries.add(resolve.country_of(name))
    return tuple(sorted(states)), (countries.pop() if len(countries) == 1 else None)


def _remote_flag(obj: dict) -> bool | None:
    kind = (
        str(obj.get("workplaceType") or obj.get("jobLocationType") or "")
        .lower()
        .replace("-", "")
        .replace("_", "")
    )
    if obj.get("isRemote") is True or kind in ("remote", "telecommute"):
        return True
    if kind in ("hybrid", "onsite", "inoffice"):
        return False
    return None


def _places_of(tables: GeoTables, obj: dict, depth: int) -> Location:
    found = []
    if "address" in obj or "postalAddress" in obj:
        found.append(_address(tables, obj.get("address", obj.get("postalAddress"))))
    if any(key in obj for key in _POSTAL_KEYS):
        found.append(_postal(tables, obj))
    if not any(loc.places for loc in found):
        for key in _TEXT_KEYS:
            if obj.get(key) is not None:
                found.append(parse_value(tables, obj[key], depth + 1))
                break
    if isinstance(obj.get("categories"), dict):
        found.append(_places_of(tables, obj["categories"], depth + 1))
    for key in _LIST_KEYS:
        if obj.get(key) is not None:
            found.append(parse_value(tables, obj[key], depth + 1))
    return merge(found)


def _stated_country(obj: dict) -> str | None:
    """The country an object names (Lever's `country`, an `addressCountry`, a location that is one)."""
    address = obj.get("address")
    if isinstance(address, dict):
        address = address.get("postalAddress", address)
    candidates = [obj.get("country"), address.get("addressCountry") if isinstance(address, dict) else None]
    candidates += [obj.get("location"), (obj.get("categories") or {}).get("location")]
    for value in candidates:
        country = resolve.country_of(_text(value) or "") if not isinstance(value, list) else None
        if country and country != "??":
            return country
    return None


def _object(tables: GeoTables, obj: dict, depth: int) -> Location:
    base = _places_of(tables, obj, depth)
    remote = _remote_flag(obj)
    if "applicantLocationRequirements" in obj:
        states, country = _requirements(tables, obj["applicantLocationRequirements"])
        remote = True if remote is None and (states or country) else remote
        base = Location(
            base.places, base.remote, tuple(sorted(set(base.remote_states) | set(states))), country
        )
    if remote is None:
        return base
    if not remote:
        return Location(base.places)
    country = (
        base.remote_country or _stated_country(obj) or ("US" if base.places or base.remote_states else None)
    )
    return Location(base.places, True, base.remote_states, country)


def parse_value(tables: GeoTables, value: object, depth: int = 0) -> Location:
    """Free text, a location object or a list of them → one Location."""
    if depth > MAX_DEPTH or value is None:
        return UNKNOWN
    if isinstance(value, str):
        return parse_text(tables, value)
    if isinstance(value, list):
        return merge([parse_value(tables, item, depth + 1) for item in value[:50]])
    if isinstance(value, dict):
        return _object(tables, value, depth)
    return UNKNOWN
