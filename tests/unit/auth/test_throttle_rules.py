"""The sign-in throttle's pure rules: when a streak blocks, for how long, and the Retry-After it answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.auth.throttle import block_seconds, keys_for, retry_after_seconds
from service.settings import AuthSettings

SETTINGS = AuthSettings(account_max_failures=5, block_seconds=60, max_block_seconds=600)


def test_blocks_from_the_limit_and_doubles_up_to_the_cap():
    assert [block_seconds(SETTINGS, n, 5) for n in range(1, 10)] == [0, 0, 0, 0, 60, 120, 240, 480, 600]
    assert block_seconds(SETTINGS, 10_000, 5) == 600


def test_retry_after_rounds_up_and_is_zero_when_free():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(None, now) == 0
    assert retry_after_seconds(now - timedelta(seconds=1), now) == 0
    assert retry_after_seconds(now + timedelta(milliseconds=10), now) == 1
    assert retry_after_seconds(now + timedelta(seconds=59.2), now) == 60


def test_keys_are_hashed_and_the_email_normalised():
    a = keys_for(SETTINGS, " Someone@Example.org ", "203.0.113.9")
    b = keys_for(SETTINGS, "someone@example.org", "203.0.113.10")
    assert a[0] == b[0] and a[1] != b[1]
    assert "example" not in a[0].key and len(a[0].key) == 64
    assert [limit.max_failures for limit in a] == [5, SETTINGS.address_max_failures]
    assert len(keys_for(SETTINGS, "x@example.org", None)) == 1
