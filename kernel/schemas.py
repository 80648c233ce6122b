"""Base request and response models: strict input, output read from attributes, pagination."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

T = TypeVar("T")


def without_nul(value: object) -> object:
    """`value` with every NUL character dropped from its strings, lists and dicts included."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    return value


class Input(BaseModel):
    """Base of every request body: unknown fields are refused (no mass assignment), strings stripped, and NUL
    characters dropped (PostgreSQL text cannot hold them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _drop_nul(cls, value: object) -> object:
        return without_nul(value)


class Output(BaseModel):
    """Base of every response body: read from a row's attributes (never the row itself as the body)."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
