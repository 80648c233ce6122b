import logging

from service.logredact import RedactSecrets, redact


def test_redacts_bearer_api_and_survey_tokens():
    line = 'GET /s/Abcdefghijklmnopqrstuvwxyz012345 "Authorization: Bearer sp_abcdefghijklmnopqrstuv" token=xyz'
    cleaned = redact(line)
    assert "Abcdefghijklmnopqrstuvwxyz012345" not in cleaned
    assert "sp_abcdefghijklmnopqrstuv" not in cleaned
    assert "token=xyz" not in cleaned
    assert "/s/[redacted]" in cleaned


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s "%s %s"', ("127.0.0.1", "GET",
                               "/s/Abcdefghijklmnopqrstuvwxyz012345"), None)
    assert RedactSecrets().filter(record)
    assert "Abcdefghijklmnopqrstuvwxyz012345" not in record.getMessage()
