"""Request and response types for users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from kernel.schemas import Input, Output


class MeRead(Output):
    user_id: int
    org_id: int
    organisation: str
    email: str
    role: str


class TokenCreate(Input):
    name: str = Field("", max_length=200)


class TokenRead(Output):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenRead):
    token: str = Field(description="Shown once; only its hash is stored.")


class UserCreate(Input):
    email: EmailStr
    role: Literal["admin", "designer", "viewer"]
    name: str = Field("", max_length=200)
    password: str | None = Field(None, min_length=8, max_length=200)


class UserUpdate(Input):
    """An admin's change to a user: a new role, or deactivation (`is_active: false`: their sessions end and
    their API tokens are revoked) / reactivation."""

    role: Literal["admin", "designer", "viewer"] | None = None
    is_active: bool | None = None


class UserRead(Output):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime
