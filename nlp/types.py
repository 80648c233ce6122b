"""Public value types: a concept of the packaged inventory, a mention found in text, an O*NET occupation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["skill", "knowledge"]
Requirement = Literal["required", "preferred"]


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept. ``id`` is its URI (ESCO) or a stable URN: ``urn:onet:tech:<slug>`` (O*NET technology skill),
    ``urn:onet:tool:<slug>`` (O*NET tool used), ``urn:onet:dwa:<DWA ID>`` (O*NET detailed work activity)."""

    id: str
    uri: str
    label: str
    scheme: str  # "esco" | "onet-tools" (technology + tools used) | "onet-dwa" | "custom"
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


@dataclass(frozen=True, slots=True)
class Task:
    """An O*NET task statement; ``category`` is "Core", "Supplemental" or None (not rated)."""

    id: str
    text: str
    category: str | None


@dataclass(frozen=True, slots=True)
class Occupation:
    """An O*NET-SOC occupation with its tasks, DWAs, tools and technology and the matching ESCO occupations."""

    soc: str
    title: str
    job_zone: int | None
    tasks: tuple[Task, ...]
    dwa_ids: tuple[str, ...]
    core_dwa_ids: tuple[str, ...]
    tool_ids: tuple[str, ...]
    technology: tuple[tuple[str, bool], ...]  # (concept id, hot or in demand for this occupation)
    esco_occupations: tuple[tuple[str, str], ...]  # (ESCO occupation URI, preferred label)
    esco_essential: tuple[str, ...]
    esco_optional: tuple[str, ...]
