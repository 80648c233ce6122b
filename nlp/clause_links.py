"""Verb clauses of a duty or requirement sentence, linked whole; section headings that are not skills.

The span model, trained on SkillSpan's office and tech postings, often finds a clause's object but not what
is done with it ("Record all work in the ticketing system" → the span "work in the ticketing system" → *work
in teams*), or nothing at all ("perform pre-trip inspections"). Each verb clause of a segment (a clause that
starts with one of the duty verbs of ``coordination.VERBS``, possibly after a lead-in such as "ability to" or
"you will") is linked as a whole, with the segment as its context and the posting's occupation as its prior;
its best concept counts when its probability reaches ``clause_threshold`` (``config/extractor.json``, chosen
on the tune split of the posting set by ``scripts/fit_posting_extraction.py``).

``not_a_skill``: a section heading ("Requirements", "Key Responsibilities:", "Physical demands") or a lone
generic word ("learn", "help") is never a mention ("Requirements" → *part requirements* was the tune split's
most frequent false concept, "willingness to learn" → *deep learning* another).
"""

from __future__ import annotations

import re

from .coordination import VERBS

# duty verbs a clause may start with: the coordination verbs and a few more that lead duty clauses
CLAUSE_VERBS = VERBS | frozenset(
    "add explain ensure complete respond resolve keep help escort dress ambulate sanitize restock research "
    "estimate greet mentor educate instruct".split()
)
MAX_CLAUSE_WORDS = 14
MIN_CLAUSE_WORDS = 2

# where a new clause may start inside a segment: a semicolon, or a comma / conjunction before a duty verb
_CUT = re.compile(r"\s*(?:;|,\s*(?:and|or|then)\s+|,|\s(?:and|or|then)\s)\s*(?=(\w+)\b)", re.I)
_LEAD_IN = re.compile(
    r"(?:[-*\u2022\u25aa\u25cf\u2013\u2014>]+\s*)?"
    r"(?:(?:you\s+will|you'll|will|must|must\s+be\s+able\s+to|(?:the\s+)?ability\s+to|able\s+to|"
    r"responsible\s+for|experience\s+(?:to|with)|help|helps|assist\s+with|we\s+need\s+you\s+to|"
    r"learn\s+(?:to|how\s+to))\s+)?",
    re.I,
)
_EDGE = " .:;,()[]*\u2022-\t"

_HEADING_HEAD = (
    r"requirements?|responsibilit(?:y|ies)|qualifications?|duties|skills?|benefits|perks|demands|"
    r"conditions|expectations|overview|summary|description|details|position|role|schedule|pay|"
    r"compensation|education|experience|certifications?|licen[cs]es?|environment|essentials|functions|"
    r"competenc(?:y|ies)|preferences|tasks"
)
_HEADING = re.compile(
    r"^(?:(?:key|job|basic|minimum|preferred|required|essential|additional|main|primary|general|physical|"
    r"work(?:ing)?|position|role|core|technical|other|desired|special|major|your|the|our)\s+){0,2}"
    rf"(?:{_HEADING_HEAD})$",
    re.I,
)


# one word that asks for nothing by itself ("willingness to learn" → "learn" → *deep learning*)
_GENERIC = frozenset("learn learning work working help helping assist team teams ability abilities".split())


def is_heading(text: str) -> bool:
    """A posting section heading ("Requirements", "Key Responsibilities:", "Physical demands")."""
    flat = " ".join(text.strip(_EDGE).split())
    return bool(flat) and bool(_HEADING.match(flat))


def not_a_skill(text: str) -> bool:
    """A section heading, or a lone word such as "learn" or "help" that names no skill by itself."""
    return is_heading(text) or text.strip(_EDGE).lower() in _GENERIC


def verb_clauses(segment: str) -> list[tuple[int, int]]:
    """Character ranges of the segment's verb clauses: pieces between semicolons, commas and conjunctions
    that start (after a lead-in such as "ability to") with a duty verb and hold MIN..MAX_CLAUSE_WORDS words;
    a lone verb shares the next clause's object ("load and unload freight" stays one clause)."""
    cuts = [0]
    for m in _CUT.finditer(segment):
        if m.group(1).lower() in CLAUSE_VERBS:
            cuts += [m.start(), m.end()]
    cuts.append(len(segment))
    pieces = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for s, e in pieces:
        while s < e and segment[s] in _EDGE:
            s += 1
        while e > s and segment[e - 1] in _EDGE:
            e -= 1
        if e <= s:
            continue
        words = segment[s:e].split()
        if len(words) == 1 and words[0].lower() in VERBS:
            pending = s if pending is None else pending
            continue
        s = s if pending is None else pending
        pending = None
        lead = _LEAD_IN.match(segment, s, e)
        body = segment[lead.end() if lead else s : e].split()
        if body and body[0].lower() in CLAUSE_VERBS and MIN_CLAUSE_WORDS <= len(body) <= MAX_CLAUSE_WORDS:
            out.append((s, e))
    return out
