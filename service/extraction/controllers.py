"""HTTP face of skill extraction."""

from __future__ import annotations

from typing import Literal

from litestar import post
from litestar.params import JSONBody
from pydantic import BaseModel, Field

from kernel.schemas import Input
from service.dependencies import Nlp
from service.extraction.jobs import extract_dicts

MAX_TEXT_CHARS = 200_000


class ExtractRequest(Input):
    text: str = Field(max_length=MAX_TEXT_CHARS, description="Plain text or HTML, up to 200,000 characters.")
    occupation: str | None = Field(
        default=None,
        pattern=r"^\d{2}-\d{4}(\.\d{2})?$",
        description="The text's O*NET-SOC code (51-4121.06 or 51-4121), when known: its profile guides linking.",
    )


class ConceptRef(BaseModel):
    id: str
    uri: str
    label: str
    scheme: str | None = None


class MentionRead(BaseModel):
    start: int
    end: int
    text: str
    kind: Literal["skill", "knowledge"]
    concept: ConceptRef | None
    score: float
    requirement: Literal["required", "preferred"] | None


class ExtractResponse(BaseModel):
    mentions: list[MentionRead]


@post(
    "/api/v1/extract",
    operation_id="extractSkills",
    opt={"min_role": "viewer"},
    tags=["extraction"],
    status_code=200,
)
async def extract(data: JSONBody[ExtractRequest], nlp: Nlp) -> ExtractResponse:
    """Skill and knowledge mentions with character offsets, linked concepts and requirement levels."""
    mentions = await nlp.run(extract_dicts, data.text, data.occupation)
    return ExtractResponse(mentions=[MentionRead.model_validate(m) for m in mentions])


route_handlers = [extract]
