"""Unsubscribe tokens: the user's id signed with the service's secret (HMAC-SHA256, kernel.tokens), so the
link in a digest works without signing in and cannot be forged for another user. Pure."""

from __future__ import annotations

import base64
import re

from kernel.tokens import constant_time_equal, derive_key, sign

_PURPOSE = "skillpulse digest unsubscribe v1"
_SHAPE = re.compile(r"^([1-9][0-9]{0,17})-([A-Za-z0-9_-]{32})$")


def _signature(user_id: int, secret: str) -> str:
    mac = sign(derive_key(secret, _PURPOSE), str(user_id))
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def unsubscribe_token(user_id: int, secret: str) -> str:
    return f"{user_id}-{_signature(user_id, secret)}"


def user_of(token: str, secret: str) -> int | None:
    """The user a token was made for, or None when it is malformed or its signature does not match."""
    found = _SHAPE.match(token or "")
    if not found:
        return None
    user_id = int(found.group(1))
    return user_id if constant_time_equal(found.group(2), _signature(user_id, secret)) else None
