"""What a location normalises to: the places it names (state, county, CBSA) and whether, and from where,
remote work is allowed. Codes: state as USPS (`OH`) with its FIPS (`39`), county as 5-digit FIPS
(`39095`), CBSA as its 5-digit OMB code (`45780`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    state: str | None = None  # USPS code
    county: str | None = None  # 5-digit FIPS
    cbsa: str | None = None  # OMB 2023 CBSA code

    def codes(self) -> set[str]:
        out = {f"state:{self.state}"} if self.state else set()
        if self.county:
            out.add(f"county:{self.county}")
        if self.cbsa:
            out.add(f"cbsa:{self.cbsa}")
        return out


@dataclass(frozen=True, slots=True)
class Location:
    places: tuple[Place, ...] = ()
    remote: bool = False
    remote_states: tuple[str, ...] = ()  # USPS codes a remote worker may live in, when the posting says
    remote_country: str | None = None  # ISO 3166 alpha-2, when the posting says

    @property
    def known(self) -> bool:
        return bool(self.places) or self.remote

    def states(self) -> list[str]:
        return sorted({p.state for p in self.places if p.state})

    def counties(self) -> list[str]:
        return sorted({p.county for p in self.places if p.county})

    def cbsas(self) -> list[str]:
        return sorted({p.cbsa for p in self.places if p.cbsa})

    def codes(self) -> set[str]:
        """Every code this location is known by (`state:OH`, `county:39095`, `cbsa:45780`, `remote`)."""
        out: set[str] = set()
        for place in self.places:
            out |= place.codes()
        if self.remote:
            out.add("remote")
        return out

    def as_json(self) -> dict:
        """The stored form (`geo` of a posting)."""
        return {
            "state": self.states(),
            "county": self.counties(),
            "cbsa": self.cbsas(),
            "remote": self.remote,
            "remote_states": list(self.remote_states),
            "remote_country": self.remote_country,
        }


UNKNOWN = Location()


def _order(place: Place) -> tuple[str, str, str]:
    return (place.state or "", place.county or "", place.cbsa or "")


def _within(general: Place, specific: Place) -> bool:
    """Whether `specific` says all that `general` does, and more."""
    return (
        all(
            getattr(general, f) is None or getattr(general, f) == getattr(specific, f)
            for f in ("state", "county", "cbsa")
        )
        and general.codes() < specific.codes()
    )


def merge(locations: list[Location]) -> Location:
    """One location from several (a posting's many offices): their places, remote if any is."""
    every = {p for loc in locations for p in loc.places}
    # A bare state (or metro) is dropped when a place in it is also named: "Ohio; Toledo, OH" is Toledo.
    places = tuple(sorted((p for p in every if not any(_within(p, q) for q in every if q != p)), key=_order))
    remote = any(loc.remote for loc in locations)
    states = tuple(sorted({s for loc in locations for s in loc.remote_states}))
    countries = {loc.remote_country for loc in locations if loc.remote_country}
    return Location(places, remote, states, countries.pop() if len(countries) == 1 else None)
