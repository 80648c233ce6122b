"""Free-text locations ("Toledo, OH", "Columbus, Ohio 43215", "Remote - US", "Cuyahoga County, OH; Akron, OH")
→ a Location. Several locations in one string are split on `;`, `|`, ` / `, ` or `, ` and `, `&`; "City, ST,
City, ST" is read pairwise."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.geo import resolve
from service.geo.location import UNKNOWN, Location, Place, merge
from service.geo.tables import GeoTables

MAX_CHARS = 500
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?![\d-])")
_REMOTE = re.compile(
    r"\b(?:fully remote|100% remote|remote(?:ly)?|work from home|work from anywhere|wfh|telecommut\w*|"
    r"telework\w*|virtual|anywhere|home[- ]based|distributed)\b",
    re.IGNORECASE,
)
_NOT_REMOTE = re.compile(r"\b(?:hybrid|on-?site|in[- ]office|in[- ]person)\b", re.IGNORECASE)
# Words around a remote location ("Remote, must reside in the US"); "in" only in lower case (IN is Indiana).
_FILLER = re.compile(
    r"\b(?:(?i:within|the|only|based|eligible|residents?|candidates|must|reside|living|located|open to|from|"
    r"friendly|option|opportunity|position|role|work|location|locations)|in|In)\b"
)
_LEAD_IN = re.compile(r"^(?:based in|located in|office in|in)\s+", re.IGNORECASE)
# " or " / " and " in lower case only: "Portland, OR" is Oregon.
_SPLIT = re.compile(
    r"\s*(?:;|\||\s/\s|(?<=\b[A-Z]{2})/(?=[A-Z]{2}\b)|\s+or\s+|\s+and\s+|&|\n|•|\s[-–—]\s|\(|\)|\[|\])\s*"
)
_EDGES = " .,:-–—*/\t"


@dataclass(frozen=True, slots=True)
class Piece:
    places: tuple[Place, ...] = ()
    country: str | None = None  # "US", another ISO code or "??" (named, not the US)


def _parts(text: str) -> list[str]:
    return [_LEAD_IN.sub("", part.strip(_EDGES)) for part in text.split(",") if part.strip(_EDGES)]


def _groups(tables: GeoTables, parts: list[str]) -> list[tuple[list[str], str | None]]:
    """Comma parts → (the parts before a state, that state): "Toledo, OH, Columbus, OH" → two groups. A state
    name followed by another state is a city ("New York, NY")."""
    groups, head = [], []
    for i, part in enumerate(parts):
        state = resolve.state_code(tables, part)
        is_code = len(part.strip(" .")) == 2
        next_is_state = i + 1 < len(parts) and resolve.state_code(tables, parts[i + 1]) is not None
        if state and not is_code and not head and not next_is_state:
            groups.append(([part], None))  # a state named alone: read as such ("Washington" names nothing)
        elif state and (is_code or not next_is_state):
            groups.append((head, state))
            head = []
        else:
            head.append(part)
    if head:
        groups.append((head, None))
    return groups


def _split_state_suffix(tables: GeoTables, text: str) -> tuple[str, str] | None:
    """ "Columbus OH" / "Columbus Ohio" → ("Columbus", "OH") when the words before name a place there."""
    words = text.split()
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        tail = " ".join(words[-size:])
        state = resolve.state_code(tables, tail, strict_case=True)
        if state and resolve.in_state(tables, " ".join(words[:-size]), state):
            return " ".join(words[:-size]), state
    return None


def _group_places(tables: GeoTables, head: list[str], state: str | None) -> tuple[Place, ...]:
    if state is None:
        if len(head) != 1:
            return ()
        split = _split_state_suffix(tables, head[0])
        if split:
            head, state = [split[0]], split[1]
        else:
            place = resolve.alone(tables, head[0])
            return (place,) if place else ()
    for part in head:
        place = resolve.in_state(tables, part, state)
        if place:
            return (place,)
    named = [resolve.state_code(tables, part) for part in head]
    if head and all(named):  # "Texas, Oklahoma, Louisiana": states, none of them a city of the last
        return tuple(Place(code) for code in [*named, state])
    return (Place(state),)


def _piece(tables: GeoTables, text: str) -> Piece:
    zips = [m for m in _ZIP.finditer(text) if m.group(1) in tables.zips]
    zip_place = resolve.zip_place(tables, zips[-1].group(1)) if zips else None
    parts = _parts(_ZIP.sub(" ", text))
    country = None
    while parts and resolve.country_of(parts[-1]):
        country = resolve.country_of(parts[-1])
        parts.pop()
    if country and country != "US":
        return Piece(country=country)
    places: list[Place] = []
    for head, state in _groups(tables, parts):
        found = _group_places(tables, head, state)
        if zip_place and (state is None or state == zip_place.state):
            found = (zip_place,) if zip_place.county or not found else found
            zip_place = None
        places.extend(found)
    if zip_place:
        places.append(zip_place)
    return Piece(tuple(places), country or ("US" if places else None))


def parse_text(tables: GeoTables, text: str | None) -> Location:
    """A free-text location → its places and remote flag; unknown (no places) when nothing is sure."""
    if not text or not str(text).strip():
        return UNKNOWN
    raw = " ".join(str(text).split())[:MAX_CHARS]
    remote = bool(_REMOTE.search(raw)) and not _NOT_REMOTE.search(raw)
    rest = _NOT_REMOTE.sub(" ", _REMOTE.sub(" ", raw))
    if remote:
        rest = _FILLER.sub(" ", rest)
    pieces = [_piece(tables, chunk) for chunk in _SPLIT.split(rest) if chunk.strip(_EDGES)]
    if not remote:
        return merge([Location(piece.places) for piece in pieces])
    places = tuple(p for piece in pieces for p in piece.places if p.county or p.cbsa)
    states = tuple(
        sorted({p.state for piece in pieces for p in piece.places if p.state and not (p.county or p.cbsa)})
    )
    countries = {piece.country for piece in pieces if piece.country}
    country = "US" if states or places else (countries.pop() if len(countries) == 1 else None)
    return merge([Location(places, True, states, None if country == "??" else country)])
