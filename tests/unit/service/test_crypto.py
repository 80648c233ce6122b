"""The keyring of service/crypto.py: pure, no database."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from service.crypto import PREFIX, Keyring, SecretsError, derived_key, parse_keys
from service.settings import SettingsError, build_settings

OLD, NEW = Fernet.generate_key(), Fernet.generate_key()


def test_round_trip_and_no_plaintext() -> None:
    ring = Keyring([NEW])
    stored = ring.encrypt("s3cret-value")
    assert stored.startswith(PREFIX) and "s3cret" not in stored
    assert ring.decrypt(stored) == "s3cret-value"
    assert ring.encrypt("s3cret-value") != stored, "a fresh IV each time"


def test_a_legacy_plaintext_value_reads_as_is_and_rotates_into_ciphertext() -> None:
    ring = Keyring([NEW])
    assert ring.decrypt("plain-from-an-older-release") == "plain-from-an-older-release"
    rotated = ring.rotate("plain-from-an-older-release")
    assert rotated.startswith(PREFIX) and ring.decrypt(rotated) == "plain-from-an-older-release"


def test_rotation_moves_to_the_first_key() -> None:
    old_ring = Keyring([OLD])
    stored = old_ring.encrypt("value")
    both = Keyring([NEW, OLD])
    assert both.decrypt(stored) == "value"
    rotated = both.rotate(stored)
    assert Keyring([NEW]).decrypt(rotated) == "value"
    with pytest.raises(SecretsError, match="SKILLPULSE_SECRET_KEYS"):
        Keyring([OLD]).decrypt(rotated)


def test_a_value_that_looks_encrypted_is_still_encrypted() -> None:
    ring = Keyring([NEW])
    lookalike = PREFIX + "not-a-fernet-token-at-all"
    assert ring.decrypt(ring.encrypt(lookalike)) == lookalike


def test_config_encrypts_only_the_credential_fields() -> None:
    ring = Keyring([NEW])
    config = {"api_key": "k-1", "headers": {"X-Auth": "h-2"}, "email": "ops@x.example", "max_pages": 3}
    stored = ring.encrypt_config(config)
    text = json.dumps(stored)
    assert "k-1" not in text and "h-2" not in text and "X-Auth" not in text
    assert stored["email"] == "ops@x.example" and stored["max_pages"] == 3
    assert ring.decrypt_config(stored) == config
    assert ring.decrypt_config(ring.rotate_config(stored)) == config
    assert ring.decrypt_config({"api_key": "legacy-plain"}) == {"api_key": "legacy-plain"}
    assert (
        json.loads(ring.decrypt(ring.rotate_config({"api_key": "legacy-plain"})["api_key"])) == "legacy-plain"
    )


def test_keys_are_parsed_and_checked() -> None:
    assert parse_keys(f" {NEW.decode()} , {OLD.decode()} ") == [NEW, OLD]
    assert parse_keys("") == []
    with pytest.raises(ValueError, match="key 2 is not a Fernet key"):
        parse_keys(f"{NEW.decode()},not-a-key")
    Fernet(derived_key("any development secret"))  # a valid key


def test_settings_name_the_variable_of_a_bad_key() -> None:
    with pytest.raises(SettingsError, match="SKILLPULSE_SECRET_KEYS"):
        build_settings(encryption={"secret_keys": "nope"})
    with pytest.raises(SettingsError, match="SKILLPULSE_SECRET_KEYS must be set in production"):
        build_settings(server={"env": "production", "secret_key": "p" * 64})
    built = build_settings(
        server={"env": "production", "secret_key": "p" * 64}, encryption={"secret_keys": NEW.decode()}
    )
    assert built.encryption.secret_keys == NEW.decode()
