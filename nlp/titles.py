"""Job title → O*NET-SOC coding through the O*NET occupation, alternate and reported titles (rapidfuzz)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import fuzz, process

from .index_cache import cached
from .taxonomy import load_titles
from .textnorm import stem

_NOISE = re.compile(
    r"\(.*?\)|\b(?:m/w/d|m/f/d|f/m/d|w/m/d|h/f|f/h|remote|hybrid|onsite|on-site|full[- ]time|part[- ]time|"
    r"contract|temporary|permanent|urgent|hiring|immediate start|wanted|needed)\b|[|/–—:!*]",
    re.I,
)
_SPACE = re.compile(r"\s+")
_QUALIFIER = re.compile(r"\s+[-–—|]\s+|,\s+|\s+\(")  # "Title - Site", "Title, Shift", "Title (Days)"
_ABBREV = {
    "sr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "eng": "engineer",
    "engr": "engineer",
    "dev": "developer",
    "admin": "administrator",
    "asst": "assistant",
    "assoc": "associate",
    "rn": "registered nurse",
    "lpn": "licensed practical nurse",
    "cna": "certified nursing assistant",
    "swe": "software engineer",
    "vp": "vice president",
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "cto": "chief technology officer",
    "hr": "human resources",
    "qa": "quality assurance",
    "it": "it",
}
_SENIORITY = {
    "senior",
    "junior",
    "lead",
    "principal",
    "staff",
    "head",
    "i",
    "ii",
    "iii",
    "iv",
    "entry",
    "level",
    "trainee",
    "graduate",
    "intern",
    "apprentice",
}


def normalise_title(title: str) -> str:
    t = _NOISE.sub(" ", title.lower())
    words = [_ABBREV.get(w.strip(".,-"), w.strip(".,-")) for w in t.split()]
    return _SPACE.sub(" ", " ".join(w for w in words if w)).strip()


def _core(t: str) -> str:
    return " ".join(w for w in t.split() if w not in _SENIORITY) or t


class TitleCoder:
    """IDF-weighted word overlap with every indexed title (plus a head-word bonus: "ICU nurse" is a nurse),
    re-ranked with rapidfuzz, then the best titles vote for their occupation."""

    N_VOTERS = 15
    POWER = 4
    W_FUZZ = 0.3
    W_HEAD = 0.15
    N_CANDIDATES = 30  # nearest titles whose occupations ``candidates`` proposes
    WEAK = 0.5  # a whole-title score below which the part before a dash or comma is tried

    def __init__(self) -> None:
        self.__dict__.update(cached("titles", self._index_state))

    def _index_state(self) -> dict:
        """Build the title index (~1.5 s) and return the attributes it set, for the NLP index cache."""
        self._build_index()
        return dict(self.__dict__)

    def _build_index(self) -> None:
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
        post: dict[str, list[int]] = defaultdict(list)
        self.stems: list[list[str]] = []
        for i, k in enumerate(self.keys):
            st = [stem(w) for w in k.split()]
            self.stems.append(st)
            for s_ in set(st):
                post[s_].append(i)
        n = len(self.keys)
        self.post = dict(post)
        self.idf = {s_: math.log(1 + n / len(v)) for s_, v in post.items()}
        self.default_idf = math.log(1 + n)
        self.norms = [math.sqrt(sum(self.idf[s_] ** 2 for s_ in set(st))) or 1.0 for st in self.stems]

    def _scores(self, q: str) -> dict[int, float]:
        st = [stem(w) for w in q.split()]
        acc: dict[int, float] = defaultdict(float)
        for s_ in set(st):
            w = self.idf.get(s_)
            if w is None:
                continue
            for i in self.post[s_]:
                acc[i] += w * w
        qn = math.sqrt(sum(self.idf.get(s_, self.default_idf) ** 2 for s_ in set(st))) or 1.0
        head = st[-1] if st else ""
        return {
            i: v / (qn * self.norms[i]) + (self.W_HEAD if self.stems[i][-1] == head else 0.0)
            for i, v in acc.items()
        }

    @lru_cache(maxsize=50_000)  # noqa: B019 - one coder per process
    def code(self, title: str) -> tuple[str, str, float] | None:
        """The whole title's code, or, when that is weak, its head part's ("Nursing Assistant - Float Pool",
        "Bookkeeping Clerk, Property Management") if that scores higher: what follows the dash is often a
        ward, shift or site, whose rare words outvote the job's own words ("Service Technician - HVAC" keeps
        its whole title: it codes well as it is)."""
        best = self._code(title)
        head = _QUALIFIER.split(title, maxsplit=1)[0]
        if head != title and len(head.split()) >= 1:
            coded = self._code(head)
            if coded is not None and (best is None or (best[2] < self.WEAK and coded[2] > best[2])):
                best = coded
        return best

    def candidates(self, title: str) -> dict[str, float]:
        """Occupation → title similarity in 0..1 for the whole title and its head part: 1.0 for the codes of
        an indexed title equal to it, else the best similarity among its ``N_CANDIDATES`` nearest titles."""
        return dict(self._candidates(title))

    @lru_cache(maxsize=50_000)  # noqa: B019 - one coder per process
    def _candidates(self, title: str) -> tuple[tuple[str, float], ...]:
        out: dict[str, float] = {}
        for part in dict.fromkeys((title, _QUALIFIER.split(title, maxsplit=1)[0])):
            q = _core(normalise_title(part))
            if not q:
                continue
            i = self.exact.get(q)
            for c in self.codes[i] if i is not None else ():
                out[c] = 1.0
            d = self._scores(q)
            for j in sorted(d, key=lambda j: (-d[j], j))[: self.N_CANDIDATES]:
                sim = (d[j] + self.W_FUZZ * fuzz.token_sort_ratio(q, self.keys[j]) / 100.0) / (
                    1 + self.W_FUZZ + self.W_HEAD
                )
                for c in self.codes[j]:
                    out[c] = max(out.get(c, 0.0), min(sim, 1.0))
        return tuple(sorted(out.items()))

    def _code(self, title: str) -> tuple[str, str, float] | None:
        q = _core(normalise_title(title))
        if not q:
            return None
        i = self.exact.get(q)
        if i is not None:
            return self._exact(q, i)
        d = self._scores(q)
        if not d:
            hit = process.extractOne(q, self.keys, scorer=fuzz.WRatio, score_cutoff=70)
            if not hit:
                return None
            code = self.codes[hit[2]][0]
            return code, self.occupations.get(code, ""), round(hit[1] / 100 * 0.6, 4)
        top = sorted(d, key=lambda j: (-d[j], j))[: self.N_VOTERS]
        votes: dict[str, float] = defaultdict(float)
        best_sim: dict[str, float] = {}
        for j in top:
            sim = d[j] + self.W_FUZZ * fuzz.token_sort_ratio(q, self.keys[j]) / 100.0
            c = self.codes[j][0]
            votes[c] += sim**self.POWER
            best_sim[c] = max(best_sim.get(c, 0.0), sim)
        code = max(votes, key=lambda c: (votes[c], c))
        score = (
            min(1.0, best_sim[code] / (1 + self.W_FUZZ + self.W_HEAD))
            * (votes[code] / sum(votes.values())) ** 0.25
        )
        return code, self.occupations.get(code, ""), round(score, 4)

    def _exact(self, q: str, i: int) -> tuple[str, str, float]:
        """An indexed title: its one code, or, when O*NET gives it to several occupations ("Certified Nursing
        Assistant": nursing assistants, home health aides, surgical assistants), the code its nearest other
        titles vote for ("nurse assistant", "hospice certified nursing assistant" → nursing assistants)."""
        codes = self.codes[i]
        if len(codes) > 1:
            d = self._scores(q)
            votes: dict[str, float] = defaultdict(float)
            for j in sorted(d, key=lambda j: (-d[j], j))[: self.N_VOTERS * 2]:
                if j != i:
                    for c in self.codes[j]:
                        if c in codes:
                            votes[c] += d[j] ** self.POWER / len(self.codes[j])
            if votes:
                code = max(votes, key=lambda c: (votes[c], c))
                return code, self.occupations.get(code, ""), 1.0
        return codes[0], self.occupations.get(codes[0], ""), 1.0


@lru_cache(maxsize=1)
def get_title_coder() -> TitleCoder:
    return TitleCoder()


def is_job_title(text: str) -> bool:
    """Whether ``text`` is, word for word, a job title O*NET lists ("Office Clerk", "Warehouse Associate"):
    a posting's heading, not a skill it asks for."""
    q = _core(normalise_title(text))
    return bool(q) and q in get_title_coder().exact


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
    return {
        "n": n,
        "acc@1": round(hit / n, 4) if n else 0.0,
        "acc@1_soc_detailed": round(detail / n, 4) if n else 0.0,
    }
