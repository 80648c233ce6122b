"""Posting text → sentence-sized segments, as the span model was trained (one sentence at a time).

Postings arrive as paragraphs, bullet lists, headings, semicolon lists, run-on lines and text derived from
HTML. ``segments`` cuts them into character ranges that never overlap and never cross a line break, a
sentence end, a bullet, an inline separator (" | ", " • ") or a clause of a semicolon list; a segment that is
still too long is cut at a comma or a space. Pure string work, linear in the text.
"""

from __future__ import annotations

import re

MAX_SEGMENT_CHARS = 400  # about 60 tokens: longer runs (a table flattened into one line) are cut further
MIN_CLAUSE_WORDS = 3  # "Monday; Tuesday" stays one segment; "lift 50 lbs; operate a forklift" becomes two

# words after which a period does not end a sentence
_ABBREVIATIONS = frozenset(
    "e.g eg i.e ie etc exp inc ltd llc co corp no nos vs mr mrs ms dr st jr sr approx dept min max hr "
    "hrs yr yrs "
    "wk wks mo mos est ext tel fig vol a.m p.m am pm u.s u.k sq ft lb lbs oz qty avg govt assn univ".split()
)
_LINE = re.compile(r"[^\r\n\u2028\u2029]+")
# a sentence end: . ! ? (possibly closed by a quote or bracket) then whitespace
_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_INLINE_SEP = re.compile(r"\s+(?:[|•·▪►◦]|--?|–|—)\s+")
_SEMICOLON = re.compile(r";\s+")
_WORD = re.compile(r"[A-Za-z]{2,}")
_BEFORE_DOT = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def segments(text: str) -> list[tuple[int, int]]:
    """Character ranges ``(start, end)`` of the segments of ``text``, in order, whitespace-trimmed."""
    if not text:
        return []
    out: list[tuple[int, int]] = []
    for ls, le in _lines(text):
        for s, e in _sentences(text, ls, le):
            for cs, ce in _split_at(text, s, e, _INLINE_SEP, min_words=2):
                for ss, se in _split_at(text, cs, ce, _SEMICOLON, min_words=MIN_CLAUSE_WORDS):
                    out.extend(_cap(text, ss, se))
    return [r for r in (_trim(text, s, e) for s, e in out) if r is not None]


def _lines(text: str) -> list[tuple[int, int]]:
    """Lines, with a hard-wrapped sentence put back together (a line that ends in a word or comma, followed by
    one that starts in lower case)."""
    out: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        s, e = m.start(), m.end()
        if not text[s:e].strip():
            continue
        if out:
            prev = text[out[-1][0] : out[-1][1]].rstrip()
            nxt = text[s:e].lstrip()
            if prev and (prev[-1].isalpha() or prev[-1] == ",") and nxt[:1].islower():
                out[-1] = (out[-1][0], e)
                continue
        out.append((s, e))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a line at its sentence ends (not after abbreviations or initials, not inside "3.5" or a URL)."""
    out = []
    pos = start
    for m in _END.finditer(text, start, end):
        if text[m.start()] == ".":
            before = _BEFORE_DOT.search(text, pos, m.start())
            word = before.group(1).lower() if before else ""
            if word.rstrip(".") in _ABBREVIATIONS or (
                len(word) == 1 and word.isalpha() and text[m.start() - 1].isupper()
            ):
                continue
        if m.end() >= end:
            break
        out.append((pos, m.start() + 1))
        pos = m.end()
    out.append((pos, end))
    return out


def _split_at(text: str, start: int, end: int, sep: re.Pattern, min_words: int) -> list[tuple[int, int]]:
    """Cut at ``sep``; a piece of fewer than ``min_words`` words stays joined to the piece before it."""
    cuts = [m for m in sep.finditer(text, start, end)]
    if not cuts:
        return [(start, end)]
    pieces = []
    pos = start
    for m in cuts:
        pieces.append((pos, m.start(), m.end()))
        pos = m.end()
    pieces.append((pos, end, end))
    out: list[list[int]] = []
    for s, e, _ in pieces:
        if out and (
            len(_WORD.findall(text, s, e)) < min_words or len(_WORD.findall(text, *out[-1])) < min_words
        ):
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _cap(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an overlong segment at the last comma (else space) before the cap, repeatedly."""
    out = []
    while end - start > MAX_SEGMENT_CHARS:
        limit = start + MAX_SEGMENT_CHARS
        cut = text.rfind(", ", start + MAX_SEGMENT_CHARS // 2, limit)
        if cut < 0:
            cut = text.rfind(" ", start + MAX_SEGMENT_CHARS // 2, limit)
        cut = limit if cut < 0 else cut + 1
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out
