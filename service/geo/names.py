"""Folding place names so that data and free text meet: case, accents, punctuation and the usual
abbreviations ("St." → saint, "Ft." → fort, "Mt." → mount) do not matter."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
# The words naming a county equivalent ("Cuyahoga County", "Orleans Parish", "Juneau City and Borough").
COUNTY_WORDS = (
    "city and borough",
    "census area",
    "planning region",
    "municipality",
    "municipio",
    "borough",
    "county",
    "parish",
)


def fold(text: str) -> str:
    """Lower-case ASCII words joined by single spaces, "St"/"Ft"/"Mt" spelled out (data and input alike)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _NON_WORD.sub(" ", ascii_text.replace("'", "")).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def county_key(name: str) -> str:
    """The folded name of a county equivalent without its kind word: "Cuyahoga County" → "cuyahoga"."""
    folded = fold(name)
    for word in COUNTY_WORDS:
        if folded.endswith(" " + word):
            return folded[: -len(word) - 1]
    return folded
