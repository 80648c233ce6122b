"""Personal survey links: random tokens shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 24  # 192 bits of randomness
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored: the token's SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible(token: str) -> bool:
    """Cheap shape check before any database work (the answer page is the same either way)."""
    return bool(TOKEN_SHAPE.match(token))


def form_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def opt_out_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}/opt-out"
