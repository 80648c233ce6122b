"""How the extractor makes a mention: its kind (skill or knowledge) and its fields."""

from __future__ import annotations

from .types import Concept, Mention

_SKILL_VERBS = frozenset(
    "manage develop design build create lead work communicate analyse analyze plan write deliver maintain "
    "support ensure drive solve use apply perform provide coordinate implement test deploy collaborate "
    "organise organize handle train teach monitor improve identify define prepare conduct negotiate".split()
)


def mention_kind(single_label: bool, label: str, text: str, concept: Concept | None) -> str:
    """ "skill" or "knowledge": the span model's label, or with a one-label model the linked concept's kind,
    else the phrase's shape (verb-led or long → skill)."""
    if not single_label:
        return "knowledge" if label == "KNOWLEDGE" else "skill"
    low = text.lower()
    if "skill" in low:
        return "skill"
    if concept is not None:
        return "skill" if concept.kind == "skill" else "knowledge"
    words = low.split()
    first = words[0] if words else ""
    if len(words) >= 4 or first.endswith("ing") or first in _SKILL_VERBS:
        return "skill"
    return "knowledge"


def make_mention(
    text: str, start: int, end: int, kind: str, concept: Concept | None, score: float, requirement: str | None
) -> Mention:
    return Mention(
        start=start,
        end=end,
        text=text[start:end],
        kind=kind,
        concept=concept,
        score=float(score),
        requirement=requirement,
    )
