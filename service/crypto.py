"""Secrets at rest: webhook signing secrets, import-source credentials and queued survey-link tokens are
stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256, cryptography's MultiFernet for rotation).

Keys come from ``SKILLPULSE_SECRET_KEYS`` (comma-separated Fernet keys, newest first): the first key encrypts,
every key decrypts, so rotation is "put a new key first, run ``skillpulse secrets rotate``, then drop the old
key". Without the setting (development and test only) one key is derived from ``SKILLPULSE_SECRET_KEY``.

A stored value is ``enc:v1:<fernet token>``; a value without the prefix is a legacy plaintext row written
before encryption (read as is; ``secrets rotate`` encrypts it). The column types below find their keyring
through the engine they run on (`bind_keyring`, called by ``service.db.create_engine``), so each app and
each test keeps its own keys and nothing is read from the environment at import time.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

PREFIX = "enc:v1:"
# import-source config fields that hold credentials; the rest (columns, max_pages, email…) stays readable JSON
SECRET_CONFIG_FIELDS = ("api_key", "headers", "password", "token", "client_secret")


class SecretsError(RuntimeError):
    """A key is missing, malformed, or cannot decrypt what is stored (a dropped or wrong key)."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def parse_keys(text: str) -> list[bytes]:
    """Comma- or whitespace-separated Fernet keys (url-safe base64 of 32 bytes), newest first."""
    keys = [part.strip() for part in text.replace(",", " ").split() if part.strip()]
    for index, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(
                f"key {index} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with `skillpulse secrets generate-key`)"
            ) from None
    return [key.encode() for key in keys]


def derived_key(secret_key: str) -> bytes:
    """The development key, derived from the session secret: a dev database stays readable across restarts."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"at-rest:{secret_key}".encode()).digest())


class Keyring:
    """Encrypts with the first key, decrypts with any."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise SecretsError("no encryption key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @staticmethod
    def is_encrypted(stored: str) -> bool:
        return stored.startswith(PREFIX)

    def encrypt(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        if not self.is_encrypted(stored):
            return stored  # legacy plaintext, written before encryption at rest
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretsError(
                "a stored secret cannot be decrypted with SKILLPULSE_SECRET_KEYS (was the key that "
                "encrypted it removed before `skillpulse secrets rotate` ran?)"
            ) from None

    def rotate(self, stored: str) -> str:
        """The same secret under the first key (a legacy plaintext value gets encrypted)."""
        if not self.is_encrypted(stored):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretsError(
                "a stored secret cannot be decrypted with any of SKILLPULSE_SECRET_KEYS"
            ) from None

    def encrypt_config(self, config: dict | None) -> dict | None:
        """An import-source config with its credential fields encrypted (each as a JSON text). Always
        encrypts: a caller's value that merely looks encrypted is a value like any other."""
        if config is None:
            return None
        out = dict(config)
        for field in SECRET_CONFIG_FIELDS:
            value = out.get(field)
            if value is not None:
                out[field] = self.encrypt(json.dumps(value))
        return out

    def decrypt_config(self, config: dict | None) -> dict | None:
        if config is None:
            return None
        out = copy.deepcopy(config)
        for field in SECRET_CONFIG_FIELDS:
            value = out.get(field)
            if isinstance(value, str) and self.is_encrypted(value):
                out[field] = json.loads(self.decrypt(value))
        return out

    def rotate_config(self, config: dict | None) -> dict | None:
        if config is None:
            return None
        out = dict(config)
        for field in SECRET_CONFIG_FIELDS:
            value = out.get(field)
            if isinstance(value, str) and self.is_encrypted(value):
                out[field] = self.rotate(value)
            elif value is not None:
                out[field] = self.encrypt(json.dumps(value))
        return out


def keyring_from_settings(settings: Any) -> Keyring:  # noqa: ANN401 - service.settings.Settings
    keys = parse_keys(settings.encryption.secret_keys)
    if not keys:
        if settings.server.env == "production":
            raise SecretsError("SKILLPULSE_SECRET_KEYS must be set in production")
        keys = [derived_key(settings.server.secret_key)]
    return Keyring(keys)


_BOUND: WeakKeyDictionary[Dialect, Keyring] = WeakKeyDictionary()


def bind_keyring(engine: AsyncEngine, keyring: Keyring) -> None:
    """Let the encrypted column types of this engine's statements use `keyring`."""
    _BOUND[engine.sync_engine.dialect] = keyring


def keyring_of(engine: AsyncEngine) -> Keyring:
    return _keyring(engine.sync_engine.dialect)


def _keyring(dialect: Dialect) -> Keyring:
    try:
        return _BOUND[dialect]
    except KeyError:
        raise SecretsError(
            "this engine has no encryption keyring (build it with service.db.create_engine)"
        ) from None


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted (``enc:v1:…``); reads give the plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        # always encrypted, even a value that looks encrypted (a caller could choose such a secret); the
        # rotate command writes the raw column itself
        return None if value is None else _keyring(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _keyring(dialect).decrypt(value)


class SecretFieldsJson(TypeDecorator[dict]):
    """A JSON object (JSONB on PostgreSQL) whose credential fields (`SECRET_CONFIG_FIELDS`) are encrypted."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect):  # noqa: ANN201 - a TypeEngine
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: dict | None, dialect: Dialect) -> dict | None:
        return None if value is None else _keyring(dialect).encrypt_config(value)

    def process_result_value(self, value: dict | None, dialect: Dialect) -> dict | None:
        return None if value is None else _keyring(dialect).decrypt_config(value)
