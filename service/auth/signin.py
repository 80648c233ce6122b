"""Password sign-in: throttled per e-mail and per client address (see throttle.py), one argon2 check per
attempt whether or not the e-mail is known."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kernel.clock import utcnow
from service.auth import throttle
from service.auth.models import User
from service.auth.services import check_password
from service.settings import AuthSettings


class SignInThrottled(Exception):
    """Too many failed sign-ins for this e-mail or this client address; try again after `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


async def sign_in(
    session: AsyncSession,
    engine: AsyncEngine,
    settings: AuthSettings,
    email: str,
    password: str,
    address: str | None,
) -> User | None:
    """The user for this e-mail and password, None for a wrong pair; raises SignInThrottled while blocked."""
    limits = throttle.keys_for(settings, email, address)
    wait = await throttle.blocked_for(engine, limits)
    if wait:
        raise SignInThrottled(wait)
    user_id = await check_password(engine, email, password)
    if user_id is None:
        await throttle.record_failure(engine, settings, limits)
        return None
    await throttle.record_success(engine, limits)
    user = await session.get(User, user_id)
    if user is None or not user.is_active:  # removed or deactivated during the check
        return None
    user.last_login_at = utcnow()
    return user
