import logging

from service.logredact import RedactSecrets, redact


def test_redacts_bearer_api_and_survey_tokens():
    line = (
        'GET /s/Abcdefghijklmnopqrstuvwxyz012345 "Authorization: Bearer sp_abcdefghijklmnopqrstuv" token=xyz'
    )
    cleaned = redact(line)
    assert "Abcdefghijklmnopqrstuvwxyz012345" not in cleaned
    assert "sp_abcdefghijklmnopqrstuv" not in cleaned
    assert "token=xyz" not in cleaned
    assert "/s/[redacted]" in cleaned


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s "%s %s"',
        ("127.0.0.1", "GET", "/s/Abcdefghijklmnopqrstuvwxyz012345"),
        None,
    )
    assert RedactSecrets().filter(record)
    assert "Abcdefghijklmnopqrstuvwxyz012345" not in record.getMessage()


def test_a_redacted_access_record_still_formats_with_uvicorns_access_formatter():
    """uvicorn's AccessFormatter unpacks five arguments: the filter keeps them, redacted (it set args to None,
    which made every rewritten access line raise and vanish)."""
    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/s/Abcdefghijklmnopqrstuvwxyz012345?token=hunter2", "1.1", 404),
        None,
    )
    assert RedactSecrets().filter(record)
    assert isinstance(record.args, tuple) and len(record.args) == 5 and record.args[4] == 404
    line = AccessFormatter(LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=False).format(record)
    assert line.endswith('"GET /s/[redacted]?token=[redacted] HTTP/1.1" 404 Not Found'), line
    assert "Abcdefghijklmnopqrstuvwxyz012345" not in line and "hunter2" not in line


def test_arguments_without_secrets_keep_their_types_and_mapping_args_are_redacted():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d calls for %s", (3, "Bearer abc.def"), None)
    RedactSecrets().filter(record)
    assert record.args == (3, "Bearer [redacted]") and record.getMessage() == "3 calls for Bearer [redacted]"
    mapped = logging.LogRecord("x", logging.INFO, __file__, 1, "%(url)s", ({"url": "/a?secret=s3"},), None)
    RedactSecrets().filter(mapped)
    assert mapped.getMessage() == "/a?secret=[redacted]"
