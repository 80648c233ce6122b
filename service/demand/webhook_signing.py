"""Webhook secrets, signatures (the Standard Webhooks scheme) and the words a failed delivery is logged with.

Every POST carries `webhook-id` (the delivery's id: the same on every retry, so a receiver can drop
duplicates), `webhook-timestamp` (Unix seconds of this attempt, so a receiver can refuse replays) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. The HMAC key is the secret's bytes:
for a generated secret (`whsec_<base64>`) the base64-decoded part, as every Standard Webhooks library expects;
for a secret the admin chose, its UTF-8 bytes. Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook as StandardWebhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
EVENT_HEADER = "X-Skillpulse-Event"
DELIVERY_HEADER = "X-Skillpulse-Delivery"
USER_AGENT = "skillpulse-webhooks/2"


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _decode_whsec(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :].rstrip("=")
    return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)


def secret_problem(secret: str) -> str | None:
    """Why a chosen secret cannot be used, or None. A `whsec_` one must be base64 of at least 16 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    try:
        key = _decode_whsec(secret)
    except (binascii.Error, ValueError):
        return "a secret starting with whsec_ must be base64 after the prefix"
    return None if len(key) >= 16 else "a whsec_ secret must hold at least 16 bytes"


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret: base64-decoded after `whsec_`, else the secret's UTF-8 bytes."""
    return _decode_whsec(secret) if secret.startswith(SECRET_PREFIX) else secret.encode()


def body_bytes(payload: dict) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON with sorted keys."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def message_id(delivery_id: int) -> str:
    return f"msg_{delivery_id}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 signature>` of one attempt."""
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    return StandardWebhook(signing_key(secret)).sign(msg_id, when, body.decode())


def signed_headers(secret: str, delivery_id: int, event: str, body: bytes, timestamp: int) -> dict[str, str]:
    msg_id = message_id(delivery_id)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, msg_id, timestamp, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
    }


# What a delivery log says about a failure. Deliberately coarse: a refused connection, a reset and a
# dropped read all read "connection failed", so the log (which viewers read) cannot map internal ports.
CONNECTION_FAILED = "connection failed"
TIMED_OUT = "timed out"
REFUSED_ADDRESS = "refused: the host is not a public address"
PAUSED = "webhook disabled before delivery"


def status_error(code: int) -> str | None:
    """None for 2xx, else the status class ("HTTP 5xx"); redirects are not followed."""
    if 200 <= code < 300:
        return None
    if 300 <= code < 400:
        return "HTTP 3xx (redirects are not followed)"
    return f"HTTP {code // 100}xx" if 100 <= code < 600 else "HTTP error"
