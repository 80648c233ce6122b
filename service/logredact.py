"""Keeps secrets out of logs: bearer tokens, API tokens and personal survey links are redacted from every
record (access logs carry request paths, and a survey link's token is in its path)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[^\s'\"]+"), r"\1[redacted]"),
    (re.compile(r"\bsp_[A-Za-z0-9_\-]{16,}"), "sp_[redacted]"),
    (re.compile(r"(/s/)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
    (re.compile(r"((?:password|secret|token)=)[^&\s'\"]+", re.I), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: object) -> object:
    """A %-argument with its secrets redacted; numbers and other values without secrets are kept as they are,
    so "%d" still formats and formatters that unpack the arguments (uvicorn's access line) still work."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactSecrets(logging.Filter):
    """Redacts the message and each of its arguments in place, keeping `args` a tuple (or mapping) of the same
    shape: uvicorn's access formatter unpacks exactly five arguments, so `args = None` made every redacted
    access line raise ("--- Logging error ---") and vanish."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if redact(message) == message:
            return True
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_redact_arg(a) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in args.items()}
        try:
            still = record.getMessage()
        except (TypeError, ValueError):  # an argument's type changed under a %-format: keep the words only
            still = None
        if still is None or redact(still) != still:  # a secret spanning message and arguments
            record.msg, record.args = redact(message), ()
        return True


def install() -> None:
    """Attach the filter to the root logger's handlers and to uvicorn's loggers (idempotent)."""
    flt = RedactSecrets()
    # aiosqlite's DEBUG records carry every statement's parameters (webhook secrets, password hashes): a root
    # level of DEBUG must not turn them on.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "litestar"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(flt)
