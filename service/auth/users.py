"""An organisation's users as its admins manage them: the list, a new role, deactivation and reactivation.

Deactivating a user ends their sessions at once (the session version moves on) and revokes their API tokens;
a role change applies to their next request. The organisation always keeps an active admin: the last one can
be neither demoted nor deactivated (`LastAdmin`), checked with the admins' rows locked so that two admins
demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kernel.clock import utcnow
from service.auth.models import ROLES, ApiToken, User
from service.auth.services import AuthError


class UserNotFound(LookupError):
    """No such user in the organisation."""


class LastAdmin(AuthError):
    """The change would leave the organisation without an active admin."""


async def list_users(session: AsyncSession, org_id: int) -> list[User]:
    return list(await session.scalars(select(User).where(col(User.org_id) == org_id).order_by(col(User.id))))


async def get_user(session: AsyncSession, org_id: int, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.org_id != org_id:
        raise UserNotFound(f"user {user_id} not found")
    return user


async def _keep_an_admin(session: AsyncSession, user: User) -> None:
    """Refuse to take away the organisation's last active admin (the admins' rows locked until commit)."""
    if not (user.is_active and user.role == "admin"):
        return
    admins = await session.scalars(
        select(col(User.id))
        .where(col(User.org_id) == user.org_id, col(User.role) == "admin", col(User.is_active).is_(True))
        .with_for_update()
    )
    if not [admin_id for admin_id in admins if admin_id != user.id]:
        raise LastAdmin(
            f"{user.email} is the last active admin of the organisation; make another user admin first"
        )


async def change_role(session: AsyncSession, org_id: int, user_id: int, role: str) -> User:
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    user = await get_user(session, org_id, user_id)
    if role != user.role:
        if role != "admin":
            await _keep_an_admin(session, user)
        user.role = role
        await session.flush()
    return user


async def set_active(session: AsyncSession, org_id: int, user_id: int, active: bool) -> User:
    """Reactivate, or deactivate: their sessions end and their API tokens are revoked."""
    user = await get_user(session, org_id, user_id)
    if active == user.is_active:
        return user
    if not active:
        await _keep_an_admin(session, user)
        user.session_version = (user.session_version or 1) + 1
        await session.execute(
            update(ApiToken)
            .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
    user.is_active = active
    await session.flush()
    return user
