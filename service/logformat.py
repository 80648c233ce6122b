"""Log line formats: the default text lines, or one JSON object per line (`SKILLPULSE_LOG_FORMAT=json`).

A JSON line holds `time` (UTC, ISO 8601), `level`, `logger`, `message` and, when there is one, `exception`
(the formatted traceback); log shippers read it without a parsing rule. The same formatter serves the three
places `serve` logs from: the start-up logging of the CLI, Litestar's handlers and uvicorn's.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
TEXT_FORMAT = "%(levelname)s - %(asctime)s - %(name)s - %(module)s - %(message)s"  # Litestar's default


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatters(log_format: str) -> dict[str, dict[str, Any]]:
    """Litestar's `LoggingConfig(formatters=...)`: its `standard` formatter, in the chosen format."""
    if log_format == "json":
        return {"standard": {"()": JsonFormatter}}
    return {"standard": {"format": TEXT_FORMAT}}


def uvicorn_log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's `log_config`: its own for text; for json, the same with every formatter JSON."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        config["formatters"] = {name: {"()": JsonFormatter} for name in config["formatters"]}
    return config


def configure_basic(level: str, log_format: str) -> None:
    """The CLI's logging before the server starts (migrations, the demo load)."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
