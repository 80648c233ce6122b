"""Keeps secrets out of logs: bearer tokens, API tokens and personal survey links are redacted from every
record (access logs carry request paths, and a survey link's token is in its path)."""

from __future__ import annotations

import logging
import re

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


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
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
