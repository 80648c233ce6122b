"""Public value types: a skill concept of the packaged taxonomy and a mention found in text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["skill", "knowledge"]
Requirement = Literal["required", "preferred"]


@dataclass(frozen=True, slots=True)
class Concept:
    """A skill concept. ``id`` is its URI (ESCO) or a stable URN (O*NET technology skills, custom)."""

    id: str
    uri: str
    label: str
    scheme: str  # "esco" | "onet" | "custom"
    kind: str  # "skill" | "knowledge" | "tool"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "uri": self.uri, "label": self.label, "scheme": self.scheme}


@dataclass(slots=True)
class Mention:
    """A skill or knowledge span: ``text == input[start:end]`` (character offsets into the input)."""

    start: int
    end: int
    text: str
    kind: str  # "skill" | "knowledge"
    concept: Concept | None
    score: float
    requirement: str | None  # "required" | "preferred" | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "concept": self.concept.to_dict() if self.concept is not None else None,
            "score": round(float(self.score), 4),
            "requirement": self.requirement,
        }
