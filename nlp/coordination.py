"""Coordinated skill phrases → one concept per conjunct, where the taxonomy has them.

"MIG and TIG welding" names two skills (MIG welding, TIG welding), "hydraulic and pneumatic systems"
two systems, "read weld symbols and blueprints" two things to read. A conjunct borrows the phrase's shared
head word (the last word of the last conjunct) or its shared verb (the first word of the first conjunct)
for linking only; its mention keeps its own characters. A phrase that is itself a taxonomy label
("research and development", "health and safety") stays whole.
"""

from __future__ import annotations

import re

from .linker import get_linker, link
from .taxonomy import load_taxonomy
from .types import Concept

MAX_CONJUNCTS = 6
# "/" and "&" join conjuncts ("MIG/TIG", "hydraulic & pneumatic"), not the letters of "A/C", "I/O", "P&ID"
_SEP = re.compile(
    r"\s*(?:,\s*(?:and|or)\b|,|(?<=\w\w)[/&](?=\w\w)|\s[/&]\s|\band/or\b|\band\b|\bor\b|\bas well as\b)\s*",
    re.I,
)
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
    "collect draw obtain check adjust align lubricate wire splice install upgrade secure back restore "
    "compose type transcribe greet direct bathe feed transfer reposition observe report fill count label "
    "dispense compound receive deliver navigate hook unhook couple sort file copy scan bend pull terminate "
    "solder braze grind fit sweep wash stack wrap bill code".split()
)

# the items of a list inside a segment: "load and unload freight, verify bills of lading, secure freight"
_ITEM = re.compile(r"\s*(?:;|:|,\s*(?:and|or)\s+|,|\s(?:and|or|as well as|plus)\s)\s*", re.I)
_ITEM_EDGE = " .:;,()[]*\u2022-\t"
MAX_ITEM_WORDS = 10

Link = tuple[int, int, Concept | None, float]  # (start, end) within the phrase, concept, score


def _conjuncts(phrase: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in _SEP.finditer(phrase):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(phrase)))
    return [(s, e) for s, e in out if phrase[s:e].strip()]


def best_link(
    query: str, threshold: float, context: str | None, occupation: str | None = None
) -> tuple[Concept | None, float]:
    """The best concept for ``query`` and its probability if that reaches ``threshold``, else (None, 0.0)."""
    # the weights fitted on postings (meaning.weight_set("extract")) were fitted with the occupation known: they
    # lean on its prior, so a text without one (a competency, a survey answer) keeps the esco-linking fit
    purpose = "extract" if occupation else None
    ranked = link(query, k=1, context=context, occupation=occupation, purpose=purpose)
    if ranked and (ranked[0][1] >= threshold or ranked[0][0].id in get_linker().aliased(query)):
        # a hand-written alias that is the query itself (config/aliases.json: "EKG", "CDL-A") says what it
        # means, whatever the score the sentence's context gives it
        return ranked[0]
    return None, 0.0


def conjunct_links(
    phrase: str, threshold: float, context: str | None = None, occupation: str | None = None
) -> list[Link]:
    """The concept(s) a mention's text names: one entry per linked conjunct of a coordination, else one entry
    for the whole text (its concept None when nothing links above ``threshold``). ``context``: the sentence
    the mention is in, whose meaning weighs in the linking; ``occupation``: the text's O*NET-SOC code, whose
    profile raises its concepts (``nlp.occupations.priors``)."""
    flat = _WS.sub(" ", phrase).strip()
    whole = (0, len(phrase), *best_link(flat, threshold, context, occupation))
    if whole[2] is None and (m := _ATTACHED.search(phrase)) and m.start() > 0:
        # "DNS on client computers", "forklift in a warehouse": the thing asked for is what the phrase
        # attaches its place or purpose to; it keeps the mention's whole text
        c, score = best_link(phrase[: m.start()].strip(), threshold, context, occupation)
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
        later = words[n + 1] if n + 1 < len(words) else []
        if len(w) == 1 and w[0].lower() in VERBS and len(later) >= 2 and later[0].lower() in VERBS:
            # "load and unload fixtures": a lone verb shares the next conjunct's object, never links alone
            queries = [" ".join([w[0], *later[1:]])]
        if (
            head
            and n < len(parts) - 1
            and len(w) <= 2
            and w[-1].lower() != head.lower()
            and w[0].lower() not in VERBS
        ):
            # "hydraulic and pneumatic systems": the last conjunct's head is shared; "draw blood, schedule
            # appointments": a verb's object is its own
            queries.append(f"{' '.join(w)} {head}")
        if verb and n > 0 and w[0].lower() not in VERBS:
            queries.append(f"{verb} {' '.join(w)}")
        best: tuple[Concept | None, float] = (None, 0.0)
        for q in queries:
            c, score = best_link(q, threshold, context, occupation)
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


def list_items(text: str) -> list[tuple[int, int]]:
    """Character ranges of the list items of one segment: the pieces between commas, semicolons, colons and
    "and" / "or" ("compose and type correspondence, make copies, handle incoming mail" → "compose and type
    correspondence", "make copies", "handle incoming mail": a lone verb shares the next item's object), edge
    punctuation trimmed; pieces of more than MAX_ITEM_WORDS words (a sentence, not an item) or of fewer than
    three characters are left out."""
    pieces = []
    pos = 0
    for m in [*_ITEM.finditer(text), None]:
        s, e = pos, (m.start() if m else len(text))
        while s < e and text[s] in _ITEM_EDGE:
            s += 1
        while e > s and text[e - 1] in _ITEM_EDGE:
            e -= 1
        if e > s:
            pieces.append((s, e))
        if m:
            pos = m.end()
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for s, e in pieces:
        words = text[s:e].split()
        if len(words) == 1 and words[0].lower() in VERBS:
            pending = s if pending is None else pending
            continue
        s = s if pending is None else pending
        pending = None
        if e - s >= 3 and len(text[s:e].split()) <= MAX_ITEM_WORDS:
            out.append((s, e))
    return out
