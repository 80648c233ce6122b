"""Personal survey links: random tokens shown once, stored only as their SHA-256 (kernel.tokens)."""

from __future__ import annotations

import re

from kernel import tokens

TOKEN_BYTES = 24  # 192 bits of randomness
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

# What is stored for a link: the kernel's token digest (its SHA-256; tokens are random, so no salt is needed).
token_hash = tokens.token_digest


def new_token() -> str:
    return tokens.new_token(TOKEN_BYTES)


def plausible(token: str) -> bool:
    """Cheap shape check before any database work (the answer page is the same either way)."""
    return bool(TOKEN_SHAPE.match(token))


def form_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def opt_out_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}/opt-out"
