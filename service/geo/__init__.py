"""US geography: posting locations and service regions as standard codes (state, county, CBSA, remote).

`normalise(value)` takes free text or a feed's location object (Greenhouse, Lever, Ashby, schema.org
`JobPosting` / `Place` / `PostalAddress`) and gives a `Location`; unknown stays unknown. The reference tables
are packaged (service/geo/data, built by `skillpulse geo build`) and loaded once. Region codes (a credential's
service region, the demand filter) are read by `parse_region_codes` and compared by `region_match`
(service/geo/codes.py).
"""

from functools import lru_cache

from service.geo.codes import REMOTE, RegionCodeError, RegionMatch, allows_region
from service.geo.location import UNKNOWN, Location, Place

__all__ = [
    "REMOTE",
    "UNKNOWN",
    "Location",
    "Place",
    "RegionCodeError",
    "RegionMatch",
    "allows_region",
    "normalise",
    "parse_region_codes",
    "region_codes_of_text",
    "region_match",
]


def normalise(value: object) -> Location:
    """Free text, a location object or a list of either → a Location."""
    from service.geo.feeds import parse_value
    from service.geo.tables import tables

    return parse_value(tables(), value)


def parse_region_codes(raws: list[str] | tuple[str, ...], *, allow_remote: bool = False) -> tuple[str, ...]:
    """Region codes in any accepted spelling → canonical, sorted; RegionCodeError naming an unknown one."""
    from service.geo.codes import parse_codes
    from service.geo.tables import tables

    return parse_codes(tables(), raws, allow_remote=allow_remote)


def region_codes_of_text(text: str | None) -> list[str]:
    """A service region in words ("Lucas County, OH", "Northeast Ohio") → its codes ([] when unknown)."""
    from service.geo.codes import region_codes

    return list(region_codes(normalise(text))) if text and text.strip() else []


@lru_cache(maxsize=256)
def region_match(codes: tuple[str, ...]) -> RegionMatch:
    """Canonical codes → what postings' `geo` is compared with (a CBSA's counties included)."""
    from service.geo.codes import region_match as build
    from service.geo.tables import tables

    return build(tables(), codes)
