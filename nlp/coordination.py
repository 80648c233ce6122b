"""Coordinated skill phrases → one concept per conjunct, where the taxonomy has them.

"MIG and TIG welding" names two skills (MIG welding, TIG welding), "hydraulic and pneumatic systems"
two systems, "read weld symbols and blueprints" two things to read. A conjunct borrows the phrase's shared
head word (the last word of the last conjunct) or its shared verb (the first word of the first conjunct)
for linking only; its mention keeps its own characters. A phrase that is itself a taxonomy label
("research and development", "health and safety") stays whole.
"""

from __future__ import annotations

import re

from .linker import link
from .taxonomy import load_taxonomy
from .types import Concept

MAX_CONJUNCTS = 6
_SEP = re.compile(r"\s*(?:,\s*(?:and|or)\b|,|/|&|\band/or\b|\band\b|\bor\b|\bas well as\b)\s*", re.I)
_WS = re.compile(r"\s+")
_ATTACHED = re.compile(r"\s+(?:on|in|for|at|from|within|across|to|using|via|under)\s+", re.I)
# verbs that a coordination's later conjuncts share ("read weld symbols and blueprints")
VERBS = frozenset(
    "read interpret operate install repair maintain troubleshoot diagnose perform use take record prepare "
    "manage configure set inspect measure weld cut drive load unload schedule process clean sterilize assist "
    "administer document monitor calibrate program test replace assemble fabricate service lift handle "
    "answer "
    "enter reconcile post order stock pack ship pick build design develop create write plan support apply "
    "provide coordinate implement deploy analyze analyse identify conduct follow update verify track "
    "collect draw obtain check adjust align lubricate wire splice install upgrade secure back restore".split()
)

Link = tuple[int, int, Concept | None, float]  # (start, end) within the phrase, concept, score


def _conjuncts(phrase: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in _SEP.finditer(phrase):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(phrase)))
    return [(s, e) for s, e in out if phrase[s:e].strip()]


def _best(query: str, threshold: float, context: str | None) -> tuple[Concept | None, float]:
    ranked = link(query, k=1, context=context)
    if ranked and ranked[0][1] >= threshold:
        return ranked[0]
    return None, 0.0


def conjunct_links(phrase: str, threshold: float, context: str | None = None) -> list[Link]:
    """The concept(s) a mention's text names: one entry per linked conjunct of a coordination, else one entry
    for the whole text (its concept None when nothing links above ``threshold``). ``context``: the sentence
    the mention is in, whose meaning weighs in the linking."""
    flat = _WS.sub(" ", phrase).strip()
    whole = (0, len(phrase), *_best(flat, threshold, context))
    if whole[2] is None and (m := _ATTACHED.search(phrase)) and m.start() > 0:
        # "DNS on client computers", "forklift in a warehouse": the thing asked for is what the phrase
        # attaches its place or purpose to; it keeps the mention's whole text
        c, score = _best(phrase[: m.start()].strip(), threshold, context)
        if c is not None:
            whole = (0, len(phrase), c, score)
    parts = _conjuncts(phrase)
    if len(parts) < 2 or len(parts) > MAX_CONJUNCTS or load_taxonomy().lookup(flat):
        return [whole]
    words = [phrase[s:e].split() for s, e in parts]
    head = words[-1][-1] if len(words[-1]) >= 2 else ""
    verb = words[0][0] if len(words[0]) >= 2 and words[0][0].lower() in VERBS else ""
    found: list[Link] = []
    for n, ((s, e), w) in enumerate(zip(parts, words, strict=True)):
        queries = [" ".join(w)]
        if head and n < len(parts) - 1 and len(w) <= 2 and w[-1].lower() != head.lower():
            queries.append(f"{' '.join(w)} {head}")
        if verb and n > 0 and w[0].lower() not in VERBS:
            queries.append(f"{verb} {' '.join(w)}")
        best: tuple[Concept | None, float] = (None, 0.0)
        for q in queries:
            c, score = _best(q, threshold, context)
            if c is not None and score > best[1]:
                best = (c, score)
        if best[0] is not None:
            found.append((s, e, best[0], best[1]))
    if len({c.id for _, _, c, _ in found if c is not None}) >= 2:
        return found
    if whole[2] is not None:
        return [whole]
    if found:  # only one conjunct links: the mention keeps its whole text, with that conjunct's concept
        best_one = max(found, key=lambda f: f[3])
        return [(0, len(phrase), best_one[2], best_one[3])]
    return [whole]


_CLAUSE = re.compile(r"\s*(?:;\s*|,?\s+(?:and|or|then)\s+)(?=(\w+)\b)", re.I)
_PARTICLES = frozenset({"up", "out", "off", "in", "down", "and", "or"})


def clauses(text: str) -> list[str]:
    """The verb clauses of a compound statement ("Schedule appointments and manage patient check-in" → two),
    split where a conjunction, comma or semicolon is followed by a verb; [] when the statement is one clause.
    A lone verb shares the next clause's object ("Cut and prepare metal" stays whole)."""
    cuts = [(m.start(), m.end()) for m in _CLAUSE.finditer(text) if m.group(1).lower() in VERBS]
    pieces, start = [], 0
    for cut_start, cut_end in cuts:
        pieces.append((start, cut_start))
        start = cut_end
    pieces.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # the start of lone verbs waiting for the next clause's object
    for s, e in pieces:
        words = [w.strip(",").lower() for w in text[s:e].split()]
        if all(w in VERBS or w in _PARTICLES for w in words):
            pending = s if pending is None else pending
            continue
        if len(words) < 2 and merged:
            merged[-1] = (merged[-1][0], e)  # "… check-in and" + "check-out": not a clause of its own
        else:
            merged.append((s if pending is None else pending, e))
        pending = None
    out = [text[s:e].strip(" ,;") for s, e in merged]
    return out if len(out) >= 2 else []
