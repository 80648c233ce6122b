"""A user's digest preference: read (defaults when never set), change (validated), unsubscribe."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.auth.models import User
from service.credentials.services import credential_choices
from service.notifications.models import DEFAULT_DIGEST, DIGEST_CHOICES, NotificationPreference
from service.notifications.tokens import user_of


class PreferenceError(ValueError):
    """A preference that cannot be stored; the message says what is wrong (a 400)."""


async def preference_of(session: AsyncSession, user_id: int, org_id: int) -> NotificationPreference:
    """The stored preference, or the defaults (weekly, every credential) when the user never set one."""
    stored = await session.get(NotificationPreference, user_id)
    if stored is not None and stored.org_id == org_id:
        return stored
    return NotificationPreference(user_id=user_id, org_id=org_id, digest=DEFAULT_DIGEST, credential_ids=None)


async def set_preference(
    session: AsyncSession,
    user_id: int,
    org_id: int,
    digest: str | None = None,
    credential_ids: Sequence[int] | None | str = "keep",
) -> NotificationPreference:
    """Change how often and about what the user hears. `credential_ids`: None follows every credential of
    the organisation; a list follows those (each a live credential of the organisation); "keep" leaves it."""
    if digest is not None and digest not in DIGEST_CHOICES:
        raise PreferenceError(f"unknown digest {digest!r}; use one of {', '.join(DIGEST_CHOICES)}")
    chosen: list[int] | None = None
    if isinstance(credential_ids, str):
        if credential_ids != "keep":
            raise PreferenceError('credentials is "all" or a list of credential ids')
    elif credential_ids is not None:
        chosen = sorted(set(credential_ids))
        if not chosen:
            raise PreferenceError(
                'choose at least one credential, or "all"; to receive no digest, set digest to "none"'
            )
        live = {cid for cid, _ in await credential_choices(session, org_id)}
        unknown = [cid for cid in chosen if cid not in live]
        if unknown:
            raise PreferenceError(f"no such credential in your organisation: {', '.join(map(str, unknown))}")
    stored = await session.get(NotificationPreference, user_id)
    if stored is None:
        stored = NotificationPreference(user_id=user_id, org_id=org_id, digest=DEFAULT_DIGEST)
        session.add(stored)
    stored.digest = digest or stored.digest
    if not isinstance(credential_ids, str):
        stored.credential_ids = chosen
    stored.updated_at = utcnow()
    await session.flush()
    return stored


async def unsubscribe(session: AsyncSession, user_id: int, org_id: int) -> NotificationPreference:
    """No more digests for this user (what the link in each digest does)."""
    return await set_preference(session, user_id, org_id, digest="none")


async def token_reader(session: AsyncSession, token: str, secret: str) -> User | None:
    """The user an unsubscribe token (the link in each digest) names; None for a token not signed with
    `secret` or a user no longer there."""
    user_id = user_of(token, secret)
    return await session.get(User, user_id) if user_id is not None else None
