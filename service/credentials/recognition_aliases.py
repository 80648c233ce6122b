"""The names a posting may give a credential, proposed from its name and type when a designer has set none.

"CompTIA A+ Certification" → "CompTIA A+", "A+"; "Commercial Driver's License Class A" → "CDL Class A",
"CDL-A", "Class A CDL"; "Certified Medical Assistant (CMA)" → "Certified Medical Assistant", "CMA". The
rules: an acronym in parentheses; the name without a generic last word ("Certification", "License",
"Program"); without a known issuer in front ("CompTIA", "Cisco"); a well-known long form written as its
abbreviation ("Commercial Driver's License" → "CDL"); a class letter written the three ways postings write
it. A shortened form is proposed only when it stays distinctive (an acronym, a digit or a sign in it; for a
certification or licence also two words or more), so "Welding Technology Certificate" never becomes "Welding
Technology". Degrees and certificates of completion are asked for by field, not by name: they get the name
and its parenthesised acronym only.

Pure; the word lists live in recognition.json beside this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONFIG_FILE = Path(__file__).resolve().parent / "recognition.json"
MAX_ALIASES = 20
MAX_ALIAS_CHARS = 120
INDUSTRY_TYPES = ("Certification", "License", "Badge", "DigitalBadge", "OpenBadge", "MicroCredential")
_PAREN = re.compile(r"\s*\(([^()]{1,40})\)")
_CLASS = re.compile(r"^(?P<head>.*\S)\s+Class[\s-]+(?P<letter>[A-Z])$")
_ACRONYM_TOKEN = re.compile(r"^(?=.*[A-Z].*[A-Z])[A-Za-z0-9&+./-]{2,12}$")


@dataclass(frozen=True)
class AliasConfig:
    suffixes: frozenset[str]
    issuers: tuple[str, ...]
    abbreviations: dict[str, str]
    academic_types: frozenset[str]


@lru_cache(maxsize=1)
def load_config() -> AliasConfig:
    data = json.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    return AliasConfig(
        suffixes=frozenset(word.lower() for word in data["generic_suffixes"]),
        issuers=tuple(sorted(data["issuers"], key=len, reverse=True)),
        abbreviations={k.lower(): v for k, v in data["abbreviations"].items()},
        academic_types=frozenset(data["academic_types"]),
    )


def is_acronym(token: str) -> bool:
    """CDL, CPhT, D1.1, A+: two capitals, or a capital with a digit or sign."""
    if _ACRONYM_TOKEN.match(token):
        return True
    return bool(re.search(r"[A-Z]", token)) and bool(re.search(r"[0-9+#]", token))


def _distinctive(alias: str, industry: bool) -> bool:
    words = alias.split()
    if any(is_acronym(word) for word in words):
        return True
    return industry and len(words) >= 2


def _strip_suffixes(text: str, suffixes: frozenset[str]) -> str:
    words = text.split()
    while len(words) > 1 and words[-1].lower().strip(".,") in suffixes:
        words.pop()
    return " ".join(words)


def _strip_issuer(text: str, issuers: tuple[str, ...]) -> str | None:
    for issuer in issuers:
        if text.lower().startswith(issuer.lower() + " "):
            return text[len(issuer) :].strip()
    return None


def _abbreviated(text: str, abbreviations: dict[str, str]) -> str | None:
    lower = text.lower().replace("’", "'")
    for long_form, short in abbreviations.items():
        at = lower.find(long_form)
        if at >= 0:
            return " ".join((text[:at] + short + text[at + len(long_form) :]).split())
    return None


def _class_forms(alias: str) -> list[str]:
    """ "CDL Class A" → "CDL-A", "Class A CDL"; "Commercial Driver's License Class A" → "Class A ..."."""
    m = _CLASS.match(alias)
    if m is None:
        return []
    head, letter = m.group("head"), m.group("letter")
    forms = [f"Class {letter} {head}"]
    if is_acronym(head):
        forms.insert(0, f"{head}-{letter}")
    return forms


def _parenthesised(name: str) -> tuple[str, list[str]]:
    """The name without its brackets, and the aliases the brackets give: "(CMA)" → CMA; "CMA (AAMA)" keeps
    "CMA (AAMA)" whole (the bracket names the issuer of the acronym before it)."""
    found: list[str] = []
    for m in _PAREN.finditer(name):
        inner = m.group(1).strip()
        before = name[: m.start()].split()
        if before and is_acronym(before[-1]):
            found.append(f"{before[-1]} ({inner})")
        elif all(is_acronym(word) for word in inner.split()) and len(inner.split()) <= 2:
            found.append(inner)
    return " ".join(_PAREN.sub(" ", name).split()), found


def propose_aliases(name: str, credential_type: str | None = None) -> list[str]:
    """The aliases to look for when a designer has set none: the name first, no repeats (case-blind)."""
    config = load_config()
    base, aliases = _parenthesised(" ".join((name or "").split()))
    if not base:
        return []
    candidates = [base, *aliases]
    if credential_type not in config.academic_types:
        industry = (credential_type or "Certificate") in INDUSTRY_TYPES
        core = _strip_suffixes(base, config.suffixes)
        forms = [core]
        for text in (base, core):
            short = _abbreviated(text, config.abbreviations)
            if short:
                forms += [short, _strip_suffixes(short, config.suffixes)]
        for form in list(forms):
            rest = _strip_issuer(form, config.issuers)
            if rest:
                forms.append(rest)
        for form in list(forms):
            forms += _class_forms(form)
        candidates += [f for f in forms if f == base or _distinctive(f, industry)]
    return _unique(candidates)


def _unique(aliases: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for alias in aliases:
        alias = " ".join(alias.split())
        key = alias.casefold()
        if len(alias) < 2 or key in seen:
            continue
        seen.add(key)
        out.append(alias)
    return out[:MAX_ALIASES]


def clean_aliases(values: list[str]) -> list[str]:
    """A designer's list as stored: trimmed, inner spaces collapsed, empty ones and repeats dropped; raises
    ValueError naming an alias too short or too long to look for."""
    out: list[str] = []
    for value in values:
        alias = " ".join(str(value).split())
        if not alias:
            continue
        if len(alias) < 2 or len(alias) > MAX_ALIAS_CHARS:
            raise ValueError(f"alias {alias!r} must be 2 to {MAX_ALIAS_CHARS} characters")
        if not re.search(r"[A-Za-z0-9]", alias):
            raise ValueError(f"alias {alias!r} has no letter or digit")
        if alias.casefold() not in {a.casefold() for a in out}:
            out.append(alias)
    if len(out) > MAX_ALIASES:
        raise ValueError(f"at most {MAX_ALIASES} aliases, not {len(out)}")
    return out
