"""A posting's occupation from its title and its text together.

Titles alone are ambiguous for trade and support work: O*NET gives "CNC Machinist" to four occupations,
"Material Handler" to four (none of them forklift operators), and "Master Technician" matches no title at
all. What the posting says its people do settles many of these. ``code_occupation(title, text)`` (the
public ``nlp.code_occupation``):

- the title proposes candidates: every occupation of an indexed title equal to it and those of the titles
  nearest to it (``TitleCoder.candidates``), each with its title similarity in 0..1;
- the text scores each candidate by the cosine of its content stems (sub-linear term frequency, IDF over
  occupations) with the occupation's own words: its O*NET task statements, the titles of its detailed work
  activities and the names of its tools used;
- the candidate with the highest ``title similarity + W_TEXT × text cosine`` wins; its score is its title
  similarity (1.0 for a title O*NET lists).

Without text (or with text that shares no word with any candidate) the answer is the title coder's own.
``W_TEXT`` was chosen on the tune split of ``nlp/eval/postings.jsonl`` (title-coding accuracy there); the
test split only reports it.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from . import titles
from .occupations import _data as _occupation_data
from .taxonomy import load_taxonomy
from .textnorm import content_stems

W_TEXT = 1.5  # weight of the text cosine beside the title similarity (chosen on tune)
MAX_TEXT = 20_000  # characters of the posting read


class OccupationTexts:
    """Per O*NET-SOC occupation a unit-length TF-IDF vector of its tasks, DWA titles and tools used."""

    def __init__(self) -> None:
        tax = load_taxonomy()
        bags: dict[str, Counter[str]] = {}
        for code, o in _occupation_data()["onet"].items():
            words = [t[1] for t in o["tasks"]]
            words += [tax.concepts[d].label for d in o["dwa"] if d in tax.concepts]
            words += [tax.concepts[t].label for t in o["tools"] if t in tax.concepts]
            bags[code] = Counter(s for w in words for s in content_stems(w))
        df: Counter[str] = Counter(s for bag in bags.values() for s in bag)
        n = len(bags)
        self.idf = {s: math.log(n / d) for s, d in df.items()}
        self.vectors = {code: self._unit(bag) for code, bag in bags.items()}

    def _unit(self, bag: Counter[str]) -> dict[str, float]:
        weights = {s: (1 + math.log(c)) * self.idf.get(s, 0.0) for s, c in bag.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {s: w / norm for s, w in weights.items() if w > 0}

    def similarity(self, text: str, codes: list[str]) -> dict[str, float]:
        """Cosine of the text with each occupation of ``codes`` (0 for an unknown code)."""
        query = self._unit(Counter(content_stems(text[:MAX_TEXT])))
        out: dict[str, float] = {}
        for code in codes:
            vector = self.vectors.get(code, {})
            out[code] = sum(w * vector.get(s, 0.0) for s, w in query.items())
        return out


@lru_cache(maxsize=1)
def get_occupation_texts() -> OccupationTexts:
    return OccupationTexts()


def code_occupation(title: str, text: str | None = None) -> tuple[str, str, float] | None:
    """(O*NET-SOC code, occupation title, score 0..1) for a job title, or None if nothing fits; with the
    posting's ``text``, its words decide among the title's candidates (the title coder's answer when there
    is no text or the text shares no word with any candidate)."""
    if not title or not title.strip():
        return None
    if not text or not text.strip():
        return titles.code_occupation(title)
    candidates = titles.get_title_coder().candidates(title.strip()[:300])
    if not candidates:
        return titles.code_occupation(title)
    cosine = get_occupation_texts().similarity(text, sorted(candidates))
    if not any(cosine.values()):
        return titles.code_occupation(title)
    total = {code: sim + W_TEXT * cosine[code] for code, sim in candidates.items()}
    best = max(sorted(total), key=lambda code: total[code])
    occupations = titles.get_title_coder().occupations
    return best, occupations.get(best, ""), round(candidates[best], 4)
