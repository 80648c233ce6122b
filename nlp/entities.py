"""HTML left in posting text. Character references ("Hydraulic &amp; pneumatic", "P&amp;IDs") are decoded
before extraction with a map back to the original characters, so mentions keep the offsets of the text given;
markup tags are split off words by the tokenizer (``html_aware_tokenizer``)."""

from __future__ import annotations

import html
import re

from .types import Mention

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_entities(text: str) -> tuple[str, list[int] | None]:
    """``text`` with its HTML character references decoded ("Hydraulic &amp; pneumatic" → "Hydraulic &
    pneumatic"; text pasted from HTML keeps them) and, when anything changed, the map from every position of
    the decoded text (and its end) back to the original's; (text, None) when nothing changed."""
    if "&" not in text or ";" not in text:
        return text, None
    parts: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _ENTITY.finditer(text):
        decoded = html.unescape(m.group(0))
        if decoded == m.group(0):
            continue
        parts.append(text[pos : m.start()])
        where.extend(range(pos, m.start()))
        parts.append(decoded)
        where.extend([m.start()] * len(decoded))
        pos = m.end()
    if not parts:
        return text, None
    parts.append(text[pos:])
    where.extend(range(pos, len(text) + 1))
    return "".join(parts), where


def remap(mentions: list[Mention], where: list[int] | None, original: str) -> list[Mention]:
    """Mentions found in the decoded text, moved back onto the original's characters."""
    if where is None:
        return mentions
    for m in mentions:
        m.start, m.end = where[m.start], where[m.end]
        m.text = original[m.start : m.end]
    return mentions


_TAG = r"<[/!?]?[A-Za-z][^<>]{0,80}>"


def html_aware_tokenizer(nlp) -> None:
    """Split markup tags off words ("Terraform</li>" → "Terraform", "</li>") so stray HTML neither hides
    skills nor ends up inside a mention; plain text tokenises exactly as before."""
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    tok = nlp.tokenizer
    d = nlp.Defaults
    tok.prefix_search = compile_prefix_regex([_TAG, *d.prefixes]).search
    tok.suffix_search = compile_suffix_regex([_TAG, *d.suffixes]).search
    tok.infix_finditer = compile_infix_regex([_TAG, *d.infixes]).finditer
