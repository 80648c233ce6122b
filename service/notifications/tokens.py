"""Unsubscribe tokens: the user's id signed with the service's secret (HMAC-SHA256), so the link in a digest
works without signing in and cannot be forged for another user. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_PURPOSE = b"skillpulse digest unsubscribe v1:"
_SHAPE = re.compile(r"^([1-9][0-9]{0,17})-([A-Za-z0-9_-]{32})$")


def _key(secret: str) -> bytes:
    return hashlib.sha256(_PURPOSE + secret.encode()).digest()


def _signature(user_id: int, secret: str) -> str:
    mac = hmac.new(_key(secret), str(user_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def unsubscribe_token(user_id: int, secret: str) -> str:
    return f"{user_id}-{_signature(user_id, secret)}"


def user_of(token: str, secret: str) -> int | None:
    """The user a token was made for, or None when it is malformed or its signature does not match."""
    found = _SHAPE.match(token or "")
    if not found:
        return None
    user_id = int(found.group(1))
    return user_id if hmac.compare_digest(found.group(2), _signature(user_id, secret)) else None
