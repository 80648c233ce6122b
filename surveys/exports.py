"""responses.csv and responses.xlsx. Pure: rows in, bytes out.

A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return before one) as a formula, so
every such text cell gets a leading apostrophe (OWASP CSV injection guidance); numbers stay numbers in .xlsx.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = ["response_id", "employer", "name", "language", "submitted_at"]


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will show as text, never evaluate."""
    return "'" + value if value.startswith(DANGEROUS_FIRST) else value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def header(questions: Sequence[Mapping[str, Any]]) -> list[str]:
    return FIXED_COLUMNS + [q["code"] for q in questions]


def rows(questions: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """Raw rows (values not yet neutralised): fixed columns then one column per question code."""
    codes = [q["code"] for q in questions]
    return [
        [r.get(c) for c in FIXED_COLUMNS] + [r.get("answers", {}).get(code) for code in codes]
        for r in responses
    ]


def to_csv(head: Sequence[str], body: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in head])
    for row in body:
        writer.writerow([neutralise(_cell_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8 correctly


def to_xlsx(head: Sequence[str], body: Sequence[Sequence[Any]], title: str = "responses") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "responses")
    sheet.append([neutralise(h) for h in head])
    for row in body:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; stored times are UTC
    text = neutralise(_cell_text(value))
    return text or None
