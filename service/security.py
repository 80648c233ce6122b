"""Secrets: password hashing (argon2); API tokens and their stored SHA-256 digests (kernel.tokens).

argon2 costs about a quarter of a second of CPU and 64 MiB by design, so the async callers use
`hash_password_async` / `verify_password_async`: the work runs in a small thread pool of its own (argon2-cffi
releases the GIL), never on the event loop, and no more hashes run at once than the pool has threads.

The test suite sets SKILLPULSE_TEST_FAST_HASHING=1 (tests/conftest.py): new hashes then use argon2's cheapest
profile, since every test makes three users and 0.2 s per hash cost minutes per run. It is never honoured when
SKILLPULSE_ENV is `production`; verification always follows the parameters stored in the hash itself.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from kernel import tokens
from kernel.tokens import constant_time_equal, token_digest

__all__ = [
    "constant_time_equal",
    "dummy_password_hash",
    "hash_password",
    "hash_password_async",
    "new_token",
    "token_digest",
    "verify_password",
    "verify_password_async",
]


@functools.cache
def _hasher() -> PasswordHasher:
    """Built on first use, so the environment the process has by then decides."""
    production = os.environ.get("SKILLPULSE_ENV") == "production"
    if os.environ.get("SKILLPULSE_TEST_FAST_HASHING") == "1" and not production:
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()  # argon2-cffi's defaults: RFC 9106's low-memory profile


# one core left for the event loop; at most 4 hashes (4 x 64 MiB) at once
_HASH_THREADS = max(1, min(4, (os.cpu_count() or 2) - 1))
_pool = ThreadPoolExecutor(max_workers=_HASH_THREADS, thread_name_prefix="argon2")
_dummy_lock = threading.Lock()
_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_password_hash() -> str:
    """A hash of a random password, made once: verifying against it costs what a real check costs, so an
    unknown e-mail (or a user without a password) takes as long as a wrong password."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher().hash(secrets.token_urlsafe(32))
        return _dummy_hash


async def hash_password_async(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """Verify off the event loop; with no hash, verify against the dummy hash and answer False."""

    def work() -> bool:
        if password_hash:
            return verify_password(password_hash, password)
        verify_password(dummy_password_hash(), password)
        return False

    return await asyncio.get_running_loop().run_in_executor(_pool, work)


def new_token(prefix: str = "sp_") -> str:
    """An API token: `prefix` and 256 bits of randomness, URL-safe; stored as its `token_digest`."""
    return tokens.new_token(32, prefix)
