"""Cheap, deterministic text normalisation shared by the linker and the title coder.

A light suffix-stripping lemmatiser (applied identically to labels and queries, so it only needs to be
consistent, not linguistically exact) and a stop-word list that includes the filler words of job ads.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9+#]+)*|[+#.][a-z0-9]+", re.I)
_PAREN = re.compile(r"\s*\([^)]*\)")

FILLER = {
    "skill",
    "skills",
    "ability",
    "abilities",
    "able",
    "knowledge",
    "experience",
    "experienced",
    "understanding",
    "strong",
    "excellent",
    "good",
    "great",
    "proven",
    "solid",
    "year",
    "years",
    "yrs",
    "working",
    "proficiency",
    "proficient",
    "familiarity",
    "familiar",
    "expertise",
    "expert",
    "demonstrated",
    "capability",
    "capable",
    "competence",
    "competent",
    "ideally",
    "plus",
    "etc",
    "e.g",
    "i.e",
    "hands-on",
    "hand",
    "outstanding",
    "deep",
    "basic",
    "advanced",
    "relevant",
    "related",
    "high",
    "level",
    "sound",
    "thorough",
    "comprehensive",
    "extensive",
    "practical",
    "eg",
}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words plus job-ad filler (imported lazily: importing nlp stays cheap)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | FILLER


_SUFFIXES = (
    ("ysis", "ys"),
    ("ytical", "ys"),
    ("ytics", "ys"),
    ("ytic", "ys"),
    ("yses", "ys"),
    ("yse", "ys"),
    ("yze", "ys"),
    ("yzing", "ys"),
    ("ysing", "ys"),
    ("atively", ""),
    ("ively", ""),
    ("ative", ""),
    ("ive", ""),
    ("ational", ""),
    ("ations", ""),
    ("ation", ""),
    ("ating", ""),
    ("ated", ""),
    ("ates", ""),
    ("ate", ""),
    ("isation", "is"),
    ("ization", "is"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("nesses", ""),
    ("ness", ""),
    ("ments", ""),
    ("ment", ""),
    ("ities", ""),
    ("ity", ""),
    ("izing", "is"),
    ("ising", "is"),
    ("ized", "is"),
    ("ised", "is"),
    ("izes", "is"),
    ("ises", "is"),
    ("ize", "is"),
    ("ise", "is"),
    ("ability", ""),
    ("able", ""),
    ("ible", ""),
    ("ings", ""),
    ("ing", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("ers", ""),
    ("er", ""),
    ("ors", ""),
    ("or", ""),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
    ("ally", ""),
    ("al", ""),
    ("ly", ""),
    ("e", ""),
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    w = word.lower()
    if len(w) <= 3 or not w.isalpha() or w.endswith(("ss", "us", "is")):
        return w
    for suf, rep in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: len(w) - len(suf)] + rep
            break
    # collapse a doubled final consonant left by -ing/-ed ("programm" → "program")
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the content words, in order (stop words and job-ad filler aside)."""
    toks = tokens(_PAREN.sub("", text)) or tokens(text)
    stop = stop_words()
    out = [stem(t) for t in toks if t not in stop]
    if not out:
        out = [stem(t) for t in toks]
    return out


def norm(text: str) -> str:
    """Normalised phrase: content stems joined by single spaces."""
    return " ".join(content_stems(text))
