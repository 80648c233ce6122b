"""US geography: posting locations and service regions as standard codes (state, county, CBSA, remote).

`normalise(value)` takes free text or a feed's location object (Greenhouse, Lever, Ashby, schema.org
`JobPosting` / `Place` / `PostalAddress`) and gives a `Location`; unknown stays unknown. The reference tables
are packaged (service/geo/data, built by `skillpulse geo build`) and loaded once.
"""

from service.geo.location import UNKNOWN, Location, Place

__all__ = ["UNKNOWN", "Location", "Place", "normalise"]


def normalise(value: object) -> Location:
    """Free text, a location object or a list of either → a Location."""
    from service.geo.feeds import parse_value
    from service.geo.tables import tables

    return parse_value(tables(), value)
