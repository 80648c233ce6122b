"""Password hashes: full-cost argon2 in production whatever the environment says; the suite's cheap
profile only where it asked for it."""

from __future__ import annotations

import pytest

from service import security


@pytest.fixture
def fresh_hasher():
    security._hasher.cache_clear()
    yield
    security._hasher.cache_clear()


def test_production_never_takes_the_test_suites_cheap_hashing(monkeypatch, fresh_hasher):
    monkeypatch.setenv("SKILLPULSE_TEST_FAST_HASHING", "1")
    monkeypatch.setenv("SKILLPULSE_ENV", "production")
    stored = security.hash_password("correct-horse-battery")
    assert stored.startswith("$argon2id$") and "m=65536,t=3,p=4" in stored
    assert security.verify_password(stored, "correct-horse-battery")


def test_the_cheap_profile_is_used_only_when_asked_and_verifies_like_any_hash(monkeypatch, fresh_hasher):
    monkeypatch.delenv("SKILLPULSE_TEST_FAST_HASHING", raising=False)
    monkeypatch.setenv("SKILLPULSE_ENV", "development")
    full = security.hash_password("s3cret-pass")
    assert "m=65536" in full
    security._hasher.cache_clear()
    monkeypatch.setenv("SKILLPULSE_TEST_FAST_HASHING", "1")
    cheap = security.hash_password("s3cret-pass")
    assert "m=65536" not in cheap
    for stored in (full, cheap):  # each verifies by the parameters stored in it
        assert security.verify_password(stored, "s3cret-pass")
        assert not security.verify_password(stored, "wrong")
