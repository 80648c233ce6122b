"""Does a posting ask for a credential? Its aliases found in the text, each with the requirement cue of its
clause, and whether the mention counts.

A mention counts when it is not negated ("no CDL required", "CCNA certification is not required"), not an
offer ("we will pay for your CDL-A training", "working toward their A+"), not a look-alike, and reads as a
qualification: a requirement cue around it (the cues of `nlp.cues`, clause → sentence → section heading), or
credential words beside it ("current RN license", "A+ certified"), or a bullet line of its own ("• Class-A
CDL"). "Reports to the RN unit manager" names a nurse without asking for one.

Case: a word of the alias written with capitals (CDL, CPhT, A, CompTIA's "TIA") must be written so in the
text, so "cna" or "a plus" never match; the other words match in any case. Words may be joined by spaces or
hyphens ("CDL-A", "CDL A", "Class-A CDL"); an acronym may take a plural (RNs). An alias never matches inside
a longer token ("CCMA", "A++", "D1.17"). A weak alias (fewer than two letters: "A+") counts only with
credential words in its sentence and not after "grade", "rated" or "an" ("an A+ attitude", "an A+ rating").
An acronym followed by its expansion in brackets that is none of the credential's aliases ("CMA (Certified
Management Accountant)") is another credential.

Pure: text in, mentions out (nlp.cues is the pure cue reader the extractor uses).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.cues import TextCues
from service.credentials.recognition_aliases import CONFIG_FILE

_SEP = r"[\s\-\u2010-\u2014]*"
_TRAILING_NOUN = re.compile(
    r"(?:\s*\([^()]{1,20}\))?[\s-]*(?:certifications?|certificates?|certified|licen[cs]es?|licensure|"
    r"credentials?|cards?)\b",
    re.I,
)
_EXPANSION = re.compile(r"\s*\(((?:[A-Z][\w'’-]*\s+){1,5}[A-Z][\w'’-]*)\)")
_CLAUSE = re.compile(r"[,;:()\[\]]|\bbut\b|\bwhile\b", re.I)
_BULLET_LINE = re.compile(r"^\s*(?:[-*\u2022\u25cf\u00b7\x95]|\d+[.)])\s")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u00b7\x95]|\d+[.)])?\s*$")
WEAK_WINDOW = 60


@dataclass(frozen=True)
class Patterns:
    credential_words: re.Pattern
    offer_before: re.Pattern
    lookalike_before: re.Pattern
    not_required_but: re.Pattern
    negation_before: re.Pattern
    preferred_extra: re.Pattern
    required_extra: re.Pattern
    offer_after: re.Pattern
    negation_after: re.Pattern
    not_the_credential: re.Pattern
    credential_near_standard: re.Pattern


@lru_cache(maxsize=1)
def load_patterns() -> Patterns:
    data = json.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    keys = (
        "credential_words",
        "offer_before",
        "lookalike_before",
        "not_required_but",
        "negation_before",
        "preferred_extra",
        "required_extra",
        "offer_after",
        "negation_after",
        "not_the_credential",
        "credential_near_standard",
    )
    return Patterns(*(re.compile(data[key], re.I) for key in keys))


@dataclass(frozen=True, slots=True)
class AliasMention:
    alias: str
    start: int
    end: int
    text: str
    requirement: str | None  # required | preferred | None
    counts: bool
    reason: str  # asks | negated | offer | lookalike | no_cue
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True, slots=True)
class Recognition:
    """What one posting says of one credential: whether it asks, how strongly, and every mention read."""

    asks: bool
    requirement: str | None
    mentions: tuple[AliasMention, ...]

    @property
    def evidence(self) -> AliasMention | None:
        """The mention to quote: the first that counts, a required one before a preferred one."""
        counted = [m for m in self.mentions if m.counts]
        rank = {"required": 0, "preferred": 1, None: 2}
        return min(counted, key=lambda m: (rank[m.requirement], m.start)) if counted else None


def _token_pattern(token: str) -> str:
    escaped = re.escape(token).replace("'", "['’]?").replace("’", "['’]?")
    if re.search(r"[A-Z]", token) and not re.search(r"[a-z]{2}", token):
        return escaped  # written with capitals: case matters
    return f"(?i:{escaped})"


def _weak(alias: str) -> bool:
    return len(re.findall(r"[A-Za-z]", alias)) < 2


@lru_cache(maxsize=512)
def alias_pattern(alias: str) -> re.Pattern:
    tokens = [t for t in re.split(r"[\s\-\u2010-\u2014]+", alias.strip()) if t]
    body = _SEP.join(_token_pattern(t) for t in tokens)
    last = tokens[-1] if tokens else ""
    plural = r"(?:['’]?s)?" if re.fullmatch(r"[A-Z]{2,}", last) else ""
    return re.compile(rf"(?<![\w+]){body}{plural}(?![\w+]|\.\d)")


def find_aliases(text: str, aliases: list[str]) -> list[tuple[int, int, str]]:
    """Spans of the aliases in the text, longest first where they overlap, in text order."""
    found: list[tuple[int, int, str]] = []
    for alias in sorted({a for a in aliases if a.strip()}, key=lambda a: (-len(a), a)):
        for m in alias_pattern(alias).finditer(text):
            if not any(m.start() < e and s < m.end() for s, e, _ in found):
                found.append((m.start(), m.end(), alias))
    return sorted(found)


def _is_bullet_item(text: str, start: int, end: int) -> bool:
    """The mention is most of its own line ("• Class-A CDL", "- CMA (AAMA) certification")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before, after = text[line_start:start], text[end:line_end]
    return bool(_BULLET.match(before)) and len(after.split()) <= 3


def _level_of(fragment: str, cues: TextCues) -> str | None:
    patterns = load_patterns()
    if cues.cues.preferred.search(fragment) or patterns.preferred_extra.search(fragment):
        return "preferred"
    if cues.cues.required.search(fragment) or patterns.required_extra.search(fragment):
        return "required"
    return None


def _clause_around(text: str, start: int, end: int, s: int, e: int) -> tuple[int, int]:
    """The clause of start:end within the sentence s:e (split at , ; : brackets, "but", "while")."""
    cs = max([s, *(m.end() for m in _CLAUSE.finditer(text, s, start))])
    after = _CLAUSE.search(text, end, e)
    return cs, after.start() if after else e


def _bracket(text: str, start: int, end: int, s: int, e: int) -> tuple[int, int] | None:
    """The brackets the mention sits in ("Clinical background (RN, CMA) is helpful"), if any."""
    opening = text.rfind("(", s, start)
    if opening < 0 or text.find(")", opening, start) >= 0:
        return None
    closing = text.find(")", end, e)
    return (opening, closing + 1) if closing >= 0 else None


def _clause_level(text: str, cues: TextCues, start: int, reach: int, s: int, e: int) -> str | None:
    """The cue of the mention's own clause ("CompTIA A+ and CCNA helpful" after "Security+ required;"),
    else, inside brackets, of the clause the brackets belong to ("(RN, CMA) is helpful")."""
    cs, ce = _clause_around(text, start, reach, s, e)
    level = _level_of(text[cs:start] + " | " + text[reach:ce], cues)
    bracket = _bracket(text, start, reach, s, e)
    if level is None and bracket is not None:
        bs, be = _clause_around(text, bracket[0], bracket[1], s, e)
        level = _level_of(text[bs : bracket[0]] + " | " + text[bracket[1] : be], cues)
    return level


def _sentence_level(text: str, start: int, reach: int, s: int, e: int, cues: TextCues) -> str | None:
    """The recognition-only cues (`preferred_extra`, `required_extra`) anywhere in the sentence."""
    return _level_of(text[s:start] + " | " + text[reach:e], cues)


def _label_level(text: str, cues: TextCues, start: int, s: int) -> str | None:
    """A label the mention is listed under: "Preferred qualifications: CompTIA A+, CCNA" in its sentence, or
    the line ending in a colon above a run of bullets ("... vehicles. Must have:\n- ASE certification")."""
    colon = text.rfind(":", s, start)
    if colon >= 0:
        head = re.split(r"[.;!?\n]", text[s:colon])[-1]
        return _level_of(head, cues)
    line_start = text.rfind("\n", 0, start) + 1
    if not _BULLET_LINE.match(text[line_start : start + 1] + " "):
        return None
    while line_start > 0:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        line = text[prev_start : line_start - 1]
        if not _BULLET_LINE.match(line):
            if line.rstrip().endswith(":"):
                return _level_of(re.split(r"[.!?]\s", line.rstrip()[:-1])[-1], cues)
            return None
        line_start = prev_start
    return None


def _lookalike(text: str, start: int, end: int, alias: str, aliases: list[str], sentence: str) -> bool:
    patterns = load_patterns()
    expansion = _EXPANSION.match(text, end)
    if expansion and not any(alias_pattern(a).search(expansion.group(1)) for a in aliases):
        return True
    if patterns.not_the_credential.match(text, end):  # "D1.1 code", "Section 608 regulations", "RN program"
        near = text[max(0, start - 25) : start] + text[end : end + 40]
        if not patterns.credential_near_standard.search(near):
            return True
    if not _weak(alias):
        return False
    graded = patterns.lookalike_before.search(text[max(0, start - 20) : start])
    if graded and not _TRAILING_NOUN.match(text, end):  # "an A+ attitude", not "an A+ certificate"
        return True
    return not patterns.credential_words.search(sentence)


def read_mention(
    text: str, cues: TextCues, start: int, end: int, alias: str, aliases: list[str]
) -> AliasMention:
    """One alias found at start:end, read in its clause, sentence and section."""
    patterns = load_patterns()
    trailing = _TRAILING_NOUN.match(text, end)
    reach = trailing.end() if trailing else end  # "CCNA certification is not required"
    s, e = cues.sentence(start, reach)
    requirement = (
        _clause_level(text, cues, start, reach, s, e)
        or _label_level(text, cues, start, s)
        or cues.requirement(start, reach)
        or _sentence_level(text, start, reach, s, e, cues)
    )
    clause_end = _clause_around(text, start, reach, s, e)[1]
    window = text[max(s, start - WEAK_WINDOW) : min(e, reach + WEAK_WINDOW)]

    def mention(counts: bool, reason: str, level: str | None = requirement) -> AliasMention:
        return AliasMention(alias, start, end, text[start:end], level, counts, reason, s, e)

    if _lookalike(text, start, end, alias, aliases, window):
        return mention(False, "lookalike", None)
    if (
        cues.negated(start, reach)
        or patterns.negation_before.search(text[s:start])
        or patterns.negation_after.search(text[reach:clause_end])
    ):
        rest = text[reach : min(e, reach + 80)]
        if patterns.not_required_but.search(rest) and cues.cues.preferred.search(rest):
            return mention(True, "asks", "preferred")  # "CDL-A not required but preferred"
        return mention(False, "negated", None)
    if patterns.offer_before.search(text[s:start]) or patterns.offer_after.search(text[reach:clause_end]):
        return mention(False, "offer", None)
    if requirement is not None:
        return mention(True, "asks")
    clause = text[max(s, start - 40) : min(e, reach + 40)]
    if trailing or patterns.credential_words.search(clause) or _is_bullet_item(text, start, end):
        return mention(True, "asks")
    return mention(False, "no_cue")


def recognise(text: str, aliases: list[str], cues: TextCues | None = None) -> Recognition:
    """Whether the text asks for the credential named by `aliases`: required when any counted mention is,
    else preferred when any is, else None (named as a qualification without a cue)."""
    if not text or not aliases:
        return Recognition(False, None, ())
    spans = find_aliases(text, aliases)
    if not spans:
        return Recognition(False, None, ())
    cues = cues or TextCues(text)
    mentions = tuple(read_mention(text, cues, s, e, alias, aliases) for s, e, alias in spans)
    counted = [m.requirement for m in mentions if m.counts]
    if not counted:
        return Recognition(False, None, mentions)
    level = "required" if "required" in counted else "preferred" if "preferred" in counted else None
    return Recognition(True, level, mentions)
