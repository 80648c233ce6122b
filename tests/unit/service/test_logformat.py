"""JSON log lines (SKILLPULSE_LOG_FORMAT=json): one object per record, traceback inside; bad value refused."""

from __future__ import annotations

import io
import json
import logging

import pytest

from service.logformat import JsonFormatter, formatters, uvicorn_log_config
from service.settings import SettingsError, build_settings


def _logger(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("skillpulse.test-json")
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    return logger


def test_a_record_is_one_json_line_with_its_fields():
    stream = io.StringIO()
    _logger(stream).info("imported %d postings for %s", 3, 'Año "quoted"\nnext')
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "INFO" and entry["logger"] == "skillpulse.test-json"
    assert entry["message"] == 'imported 3 postings for Año "quoted"\nnext'
    assert entry["time"].endswith("+00:00") and "exception" not in entry


def test_an_exception_travels_inside_the_line():
    stream = io.StringIO()
    try:
        raise RuntimeError("feed exploded")
    except RuntimeError:
        _logger(stream).exception("scheduled job %s failed", "x")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR"
    assert "Traceback" in entry["exception"] and "RuntimeError: feed exploded" in entry["exception"]


def test_text_stays_the_default_and_json_is_a_setting(monkeypatch):
    monkeypatch.delenv("SKILLPULSE_LOG_FORMAT", raising=False)
    assert build_settings().server.log_format == "text"
    monkeypatch.setenv("SKILLPULSE_LOG_FORMAT", "JSON")
    assert build_settings().server.log_format == "json"
    assert formatters("json")["standard"]["()"] is JsonFormatter
    assert "()" not in formatters("text")["standard"]
    json_config, text_config = uvicorn_log_config("json"), uvicorn_log_config("text")
    assert all(f["()"] is JsonFormatter for f in json_config["formatters"].values())
    assert text_config["formatters"]["access"]["()"] == "uvicorn.logging.AccessFormatter"


def test_an_unknown_format_names_the_variable(monkeypatch):
    monkeypatch.setenv("SKILLPULSE_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="(?i)log_format"):
        build_settings()
