"""Job title → O*NET-SOC coding through the O*NET occupation, alternate and reported titles (rapidfuzz)."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from .taxonomy import load_titles

_NOISE = re.compile(
    r"\(.*?\)|\b(?:m/w/d|m/f/d|f/m/d|w/m/d|h/f|f/h|remote|hybrid|onsite|on-site|full[- ]time|part[- ]time|"
    r"contract|temporary|permanent|urgent|hiring|immediate start|wanted|needed)\b|[|/–—:!*]",
    re.I,
)
_SPACE = re.compile(r"\s+")
_ABBREV = {
    "sr": "senior", "jr": "junior", "mgr": "manager", "eng": "engineer", "engr": "engineer", "dev": "developer",
    "admin": "administrator", "asst": "assistant", "assoc": "associate", "rn": "registered nurse",
    "lpn": "licensed practical nurse", "cna": "certified nursing assistant", "swe": "software engineer",
    "vp": "vice president", "ceo": "chief executive officer", "cfo": "chief financial officer",
    "cto": "chief technology officer", "hr": "human resources", "qa": "quality assurance", "it": "it",
}
_SENIORITY = {"senior", "junior", "lead", "principal", "staff", "head", "i", "ii", "iii", "iv", "entry", "level",
              "trainee", "graduate", "intern", "apprentice"}


def normalise_title(title: str) -> str:
    t = _NOISE.sub(" ", title.lower())
    words = [_ABBREV.get(w.strip(".,-"), w.strip(".,-")) for w in t.split()]
    return _SPACE.sub(" ", " ".join(w for w in words if w)).strip()


def _core(t: str) -> str:
    return " ".join(w for w in t.split() if w not in _SENIORITY) or t


class TitleCoder:
    def __init__(self) -> None:
        data = load_titles()
        self.occupations: dict[str, str] = data["occupations"]
        keys: dict[str, list[str]] = {}
        for title, codes in data["index"].items():
            k = _core(normalise_title(title))
            if k:
                keys.setdefault(k, [])
                for c in codes:
                    if c not in keys[k]:
                        keys[k].append(c)
        self.keys = list(keys)
        self.codes = [keys[k] for k in self.keys]
        self.exact = {k: i for i, k in enumerate(self.keys)}

    @lru_cache(maxsize=50_000)  # noqa: B019 - one coder per process
    def code(self, title: str) -> tuple[str, str, float] | None:
        q = _core(normalise_title(title))
        if not q:
            return None
        i = self.exact.get(q)
        if i is not None:
            code = self.codes[i][0]
            return code, self.occupations.get(code, ""), 1.0
        hits = process.extract(q, self.keys, scorer=fuzz.WRatio, limit=10, score_cutoff=60)
        if not hits:
            return None
        # re-rank: WRatio, then token_sort agreement (penalises partial matches of long titles)
        best = max(hits, key=lambda h: (h[1] + 0.5 * fuzz.token_sort_ratio(q, h[0]), -h[2]))
        score = (best[1] + 0.5 * fuzz.token_sort_ratio(q, best[0])) / 150.0
        code = self.codes[best[2]][0]
        return code, self.occupations.get(code, ""), round(score, 4)


@lru_cache(maxsize=1)
def get_title_coder() -> TitleCoder:
    return TitleCoder()


def code_occupation(title: str) -> tuple[str, str, float] | None:
    """(O*NET-SOC code, occupation title, score 0..1) for a job title, or None if nothing fits."""
    if not title or not title.strip():
        return None
    return get_title_coder().code(title.strip()[:300])


def evaluate_titles(limit: int = 0) -> dict[str, float]:
    """acc@1 on the held-out slice of O*NET titles (never indexed); a hit is any of the title's codes."""
    data = load_titles()
    items = sorted(data["held_out"].items())
    if limit:
        items = items[:limit]
    hit = detail = 0
    for title, codes in items:
        r = code_occupation(title)
        if r and r[0] in codes:
            hit += 1
        if r and any(r[0][:7] == c[:7] for c in codes):
            detail += 1
    n = len(items)
    return {"n": n, "acc@1": round(hit / n, 4) if n else 0.0, "acc@1_soc_detailed": round(detail / n, 4) if n else 0.0}
