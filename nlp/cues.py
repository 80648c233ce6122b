"""Requirement cues ("must have" / "nice to have") and negation ("no degree required") around a mention.

Cue patterns live in ``config/cues.json``. A mention takes the cue of its own clause (split at , ; : and
brackets) if there is one, else of its sentence (the nearest cue wins when both kinds occur), else of the
section it sits in (a short heading line such as "Requirements:" or "Nice to have" governs the lines
under it until the next heading or blank line).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CUES_FILE = Path(__file__).resolve().parent / "config" / "cues.json"
_SENT_END = re.compile(
    r"[.!?](?=\s)|[\n\r\u2022\u25cf\u00b7\x95*]|\s[-\u2013\u2014]\s|"
    r"</?(?:li|p|br|div|ul|ol|h[1-6]|tr|td|section)\b[^<>]{0,80}>|$",
    re.I,
)
_CLAUSE_END = re.compile(r"[,;:()\[\]]|\bbut\b|\bwhile\b|\bwhereas\b")
_LINE = re.compile(r"[^\n]*\n?")


@dataclass(frozen=True)
class Cues:
    required: re.Pattern
    preferred: re.Pattern
    neg_before: re.Pattern
    neg_after: re.Pattern


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    data = json.loads(CUES_FILE.read_text(encoding="utf-8"))

    def alt(key: str) -> re.Pattern:
        return re.compile("|".join(f"(?:{p})" for p in data[key]), re.I)

    return Cues(alt("required"), alt("preferred"), alt("negation_before"), alt("negation_after"))


class TextCues:
    """Pre-computes sentence, clause and section boundaries of one text; answers per character span."""

    MAX_WINDOW = 400  # how far (chars) a sentence may reach for cues

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = text.lower()
        self.cues = load_cues()
        self._sent_ends = [m.end() for m in _SENT_END.finditer(text)]
        self._sections: list[tuple[int, int, str]] | None = None

    # -- boundaries
    def _sentence(self, start: int, end: int) -> tuple[int, int]:
        ends = self._sent_ends
        i = bisect.bisect_right(ends, start)
        s = ends[i - 1] if i > 0 else 0
        j = bisect.bisect_left(ends, end)
        e = ends[j] if j < len(ends) else len(self.text)
        return max(s, start - self.MAX_WINDOW), min(e, end + self.MAX_WINDOW)

    def _clause(self, start: int, end: int, s: int, e: int) -> tuple[int, int]:
        left = self.lower[s:start]
        cs = s
        for m in _CLAUSE_END.finditer(left):
            cs = s + m.end()
        m = _CLAUSE_END.search(self.lower, end, e)
        ce = m.start() if m else e
        return cs, ce

    def _sections_list(self) -> list[tuple[int, int, str]]:
        if self._sections is None:
            secs: list[tuple[int, int, str]] = []
            cur: tuple[int, str] | None = None
            pos = 0
            for m in _LINE.finditer(self.text):
                line = m.group()
                if not line:
                    break
                stripped = line.strip()
                if not stripped:
                    if cur:
                        secs.append((cur[0], pos, cur[1]))
                        cur = None
                elif len(stripped.split()) <= 6 and len(stripped) <= 60:
                    kind = self._kind_of(stripped.lower())
                    if kind or stripped.endswith(":"):
                        if cur:
                            secs.append((cur[0], pos, cur[1]))
                            cur = None
                        if kind:
                            cur = (m.end(), kind)
                pos = m.end()
            if cur:
                secs.append((cur[0], len(self.text), cur[1]))
            self._sections = secs
        return self._sections

    def _kind_of(self, s: str) -> str | None:
        if self.cues.preferred.search(s):
            return "preferred"
        if self.cues.required.search(s):
            return "required"
        return None

    # -- answers
    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence (or bullet line) around a span, at most MAX_WINDOW characters either side."""
        return self._sentence(start, end)

    def negated(self, start: int, end: int) -> bool:
        s, e = self._sentence(start, end)
        cs, ce = self._clause(start, end, s, e)
        before = self.lower[max(cs, start - 60) : start]
        after = self.lower[end : min(ce, end + 60)]
        if self.cues.neg_before.search(before) or self.cues.neg_after.search(after):
            return True
        span = self.lower[start:end]
        return span.startswith(("no ", "not ", "without ")) or bool(self.cues.neg_after.search(span[-40:]))

    def requirement(self, start: int, end: int) -> str | None:
        s, e = self._sentence(start, end)
        cs, ce = self._clause(start, end, s, e)
        for lo, hi in ((cs, ce), (s, e)):
            found = self._nearest(lo, hi, start, end)
            if found:
                return found
        for a, b, kind in self._sections_list():
            if a <= start < b:
                return kind
        return None

    def _nearest(self, lo: int, hi: int, start: int, end: int) -> str | None:
        best: tuple[int, str] | None = None
        window = self.lower[lo:hi]
        for kind, pat in (("preferred", self.cues.preferred), ("required", self.cues.required)):
            for m in pat.finditer(window):
                a, b = lo + m.start(), lo + m.end()
                if a >= start and b <= end:
                    continue  # a cue word inside the mention itself ("requirements engineering")
                d = start - b if b <= start else a - end if a >= end else 0
                if best is None or d < best[0]:
                    best = (d, kind)
        return best[1] if best else None
