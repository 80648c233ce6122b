"""Tables for organisations, their users and API tokens."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow

ROLES = ("admin", "designer", "viewer")


class Organisation(SQLModel, table=True):
    """A tenant: every other record belongs to exactly one."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class User(SQLModel, table=True):
    """A person who signs in to the dashboard or owns API tokens; role is admin, designer or viewer."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=320, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(max_length=16)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    session_version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": "1"},
        description="Carried in the session cookie; signing out or a new password bumps it, which revokes "
        "every outstanding session cookie of the user.",
    )


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_api_token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=200)
    token_hash: str = Field(max_length=64)
    prefix: str = Field(max_length=16, description="First characters, to recognise a token in lists.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))


class SignInThrottle(SQLModel, table=True):
    """A streak of failed password sign-ins for one key (an e-mail address or a client address, hashed), and
    the time until which that key is blocked. In the database so that every replica counts the same."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=80)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(sa_type=DateTimeUTC(timezone=True), index=True)
    blocked_until: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
