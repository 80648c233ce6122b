"""Secrets that are not passwords: random tokens, their stored digests, keys and signatures.

A random token is shown once and stored only as its SHA-256 (tokens are random, so no salt is needed). Keys
for one purpose (session cookies, CSRF, unsubscribe links) are derived from the service's one secret, so a key
of one purpose never signs for another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32, prefix: str = "") -> str:
    """A URL-safe random token of `nbytes` bytes of randomness, after `prefix`."""
    return prefix + secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose: SHA-256 of "purpose:secret"."""
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


def sign(key: bytes, message: str) -> bytes:
    """The HMAC-SHA256 of `message` under `key`."""
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def constant_time_equal(a: str, b: str) -> bool:
    """Compare two strings in time that does not depend on where they differ."""
    return hmac.compare_digest(a.encode(), b.encode())
