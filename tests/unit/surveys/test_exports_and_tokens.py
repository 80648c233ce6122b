import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from surveys.exports import header, neutralise, rows, to_csv, to_xlsx
from surveys.mail import build_message, compose, scrub_links
from surveys.ratelimit import RateLimiter
from surveys.tokens import new_token, plausible, token_hash


def test_neutralise_every_dangerous_first_character():
    for text in ("=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x"):
        assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain" and neutralise("a=b") == "a=b"


def _data():
    questions = [{"code": "note"}, {"code": "n"}, {"code": "m"}]
    responses = [
        {
            "response_id": 1,
            "employer": '=HYPERLINK("http://evil")',
            "name": "@bob",
            "language": "en",
            "submitted_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
            "answers": {"note": "-cmd|' /C calc'!A0", "n": -3, "m": ["a", "b"]},
        }
    ]
    return header(questions), rows(questions, responses)


def test_csv_cells_are_neutralised():
    head, body = _data()
    text = to_csv(head, body).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["response_id", "employer", "name", "language", "submitted_at", "note", "n", "m"]
    row = parsed[1]
    assert row[1] == '\'=HYPERLINK("http://evil")' and row[2] == "'@bob"
    assert row[5].startswith("'-cmd") and row[6] == "'-3" and row[7] == "a; b"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in parsed for cell in r)


def test_xlsx_keeps_numbers_and_neutralises_text():
    head, body = _data()
    sheet = load_workbook(io.BytesIO(to_xlsx(head, body))).active
    values = [c.value for c in sheet[2]]
    assert values[1] == '\'=HYPERLINK("http://evil")' and values[6] == -3
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_tokens_are_random_and_hashed():
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000 and all(len(t) >= 32 and plausible(t) for t in tokens)
    token = new_token()
    assert token_hash(token) != token and len(token_hash(token)) == 64
    assert not plausible("../etc/passwd") and not plausible("short")


def test_mail_has_links_opt_out_header_and_scrubs_after_sending():
    token = new_token()
    subject, body = compose(
        "reminder", "es", "Encuesta", "Ana", f"http://h/s/{token}", f"http://h/s/{token}/opt-out"
    )
    assert subject.startswith("Recordatorio") and "Hola, Ana:" in body and f"/s/{token}" in body
    message = build_message("from@x.org", "ana@x.org", subject, body)
    assert message["List-Unsubscribe"] == f"<http://h/s/{token}/opt-out>"
    assert token not in scrub_links(body)


def test_rate_limiter_fixed_window():
    now = [1000.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert [limiter.hit("k", 3) for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("k", 3) > 0 and limiter.hit("other", 3) == 0
    now[0] += 60
    assert limiter.hit("k", 3) == 0
