"""Organisations, users and tokens: creation and authentication (used by the API, the CLI and tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from kernel.clock import utcnow
from service.auth.models import ROLES, ApiToken, Organisation, User
from service.auth.principal import Principal
from service.db import session_scope
from service.security import hash_password_async, new_token, token_digest, verify_password_async


class AuthError(ValueError):
    """Bad input to an auth operation, with a message fit for the caller."""


class EmailTaken(AuthError):
    """The e-mail address is already used by a user."""


class TokenNotFound(LookupError):
    """No such API token of the user's."""


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    record: ApiToken


async def get_or_create_org(session: AsyncSession, name: str) -> tuple[Organisation, bool]:
    name = name.strip()
    if not name:
        raise AuthError("organisation name must not be empty")
    org = (await session.execute(select(Organisation).where(Organisation.name == name))).scalar_one_or_none()
    if org is not None:
        return org, False
    org = Organisation(name=name)
    session.add(org)
    await session.flush()
    return org, True


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this address (unique across organisations), compared as stored: in lower case."""
    # across organisations on purpose, also in a request's session scoped to one (service/tenancy.py)
    query = select(User).where(User.email == email.strip().lower())
    found = await session.execute(query.execution_options(across_organisations=True))
    return found.scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    org: Organisation,
    email: str,
    role: str,
    password: str | None = None,
    name: str = "",
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 320:
        raise AuthError("email must be an email address")
    if password is not None and len(password) < 8:
        raise AuthError("password must have at least 8 characters")
    existing = await user_by_email(session, email)
    if existing is not None and existing.org_id == org.id:
        raise EmailTaken(f"a user with email {email} already exists in this organisation")
    if existing is not None:
        # e-mail addresses are unique across organisations (sign-in is by address alone); say no more than
        # that this address cannot be used, never that another organisation has it
        raise EmailTaken(f"the email {email} cannot be used for a new user; use another address")
    password_hash = await hash_password_async(password) if password else None
    user = User(org_id=org.id, email=email, role=role, name=name, password_hash=password_hash)
    session.add(user)
    await session.flush()
    return user


async def issue_token(session: AsyncSession, user: User, name: str = "") -> IssuedToken:
    token = new_token()
    record = ApiToken(
        org_id=user.org_id, user_id=user.id, name=name, token_hash=token_digest(token), prefix=token[:10]
    )
    session.add(record)
    await session.flush()
    return IssuedToken(token=token, record=record)


async def list_tokens(session: AsyncSession, org_id: int, user_id: int) -> list[ApiToken]:
    """The user's own API tokens (revoked ones too), newest first."""
    rows = await session.scalars(
        select(ApiToken)
        .where(col(ApiToken.org_id) == org_id, col(ApiToken.user_id) == user_id)
        .order_by(col(ApiToken.id).desc())
    )
    return list(rows)


async def revoke_token(session: AsyncSession, org_id: int, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (again is a no-op); TokenNotFound for anyone else's."""
    token = await session.get(ApiToken, token_id)
    if token is None or token.org_id != org_id or token.user_id != user_id:
        raise TokenNotFound(f"token {token_id} not found")
    token.revoked_at = token.revoked_at or utcnow()
    return token


async def organisation(session: AsyncSession, org_id: int) -> Organisation | None:
    return await session.get(Organisation, org_id)


async def principal_for_token(session: AsyncSession, token: str) -> Principal | None:
    """The principal behind a bearer token, or None for an unknown, revoked or inactive one."""
    row = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None), User.is_active)
        )
    ).first()
    if row is None:
        return None
    api_token, user = row
    now = utcnow()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        await session.execute(update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))
    return Principal(user_id=user.id, org_id=user.org_id, role=user.role, email=user.email, via="token")


async def principal_for_session(session: AsyncSession, user_id: int, version: object) -> Principal | None:
    """The principal of a session cookie, or None when the user is gone or inactive, or the cookie's session
    version is not the user's current one (signed out, password changed, or a cookie from before versions)."""
    user = await session.get(User, user_id)
    if user is None or not user.is_active or not isinstance(version, int) or version != user.session_version:
        return None
    return Principal(user_id=user.id, org_id=user.org_id, role=user.role, email=user.email, via="session")


async def end_sessions(session: AsyncSession, user_id: int) -> None:
    """Revoke every session cookie of the user (sign-out ends them on all devices)."""
    await session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """A new password; every session cookie signed before it stops working."""
    if len(password) < 8:
        raise AuthError("password must have at least 8 characters")
    user.password_hash = await hash_password_async(password)
    user.session_version = (user.session_version or 1) + 1
    await session.flush()


async def check_password(engine: AsyncEngine, email: str, password: str) -> int | None:
    """The id of the active user with this e-mail and password, else None.

    An unknown e-mail, or a user without a password, is checked against a dummy hash, so every answer costs
    one argon2 verification. The check runs off the event loop and holds no database connection: the lookup's
    session is closed first, so a burst of sign-ins cannot drain the pool that /health and everyone else use.
    """
    async with session_scope(engine) as session:
        row = (
            await session.execute(
                select(User.id, User.password_hash).where(User.email == email.strip().lower(), User.is_active)
            )
        ).first()
    user_id, password_hash = row if row is not None else (None, None)
    if not await verify_password_async(password_hash, password) or user_id is None:
        return None
    return user_id
