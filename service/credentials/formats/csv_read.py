"""Reading the CSV template: one row per competency, credential columns repeated on each row (documented in
examples/credentials/README.md). Rows group into credentials by ctid, else by name; a row with no competency
text only describes its credential."""

from __future__ import annotations

import csv
import io
import re

from service.credentials.formats.records import CredentialFormatError, ParsedCompetency, ParsedCredential
from service.credentials.formats.vocab import (
    DOMAINS,
    FRAMEWORK_TYPE,
    ctid_from,
    is_credential_class,
    is_web_url,
    normalise_occupation,
    parse_domain,
    parse_level,
)

COLUMNS = (
    "credential_name",
    "credential_ctid",
    "credential_type",
    "credential_url",
    "credential_description",
    "occupations",
    "region",
    "competency_text",
    "competency_label",
    "competency_category",
    "competency_level",
    "competency_domain",
    "competency_id",
    "coded_notation",
)
ALIASES = {
    "name": "credential_name",
    "credential": "credential_name",
    "ctid": "credential_ctid",
    "type": "credential_type",
    "url": "credential_url",
    "description": "credential_description",
    "occupation": "occupations",
    "onet_soc": "occupations",
    "soc": "occupations",
    "competency": "competency_text",
    "text": "competency_text",
    "label": "competency_label",
    "category": "competency_category",
    "level": "competency_level",
    "ccf_level": "competency_level",
    "domain": "competency_domain",
    "ccf_domain": "competency_domain",
    "notation": "coded_notation",
}
REQUIRED = ("credential_name", "competency_text")
IGNORED_PREFIXES = ("x_", "note")
CREDENTIAL_SINGLE = (
    "credential_ctid",
    "credential_type",
    "credential_url",
    "credential_description",
    "region",
)
SPLIT_OCCUPATIONS = re.compile(r"[;|,\s]+")
MAX_ROWS = 50_000


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_out(value: object) -> str:
    """A spreadsheet runs a cell that starts like a formula: such cells are written behind a quote mark."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell_in(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_START and text[1:2] else text


def _column(header: str) -> str:
    key = re.sub(r"[\s\-]+", "_", header.strip().lstrip("\ufeff").lower())
    return ALIASES.get(key, key)


def decode_csv(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CredentialFormatError(
            f"the CSV is not UTF-8 (byte {exc.start}); save it as CSV UTF-8"
        ) from None


def read_csv(data: bytes | str) -> list[ParsedCredential]:
    text = decode_csv(data)
    if not text.strip():
        raise CredentialFormatError("the CSV is empty")
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise CredentialFormatError(f"row 1: {exc}") from None
    columns = [_column(h) for h in header]
    unknown = [
        h
        for h, c in zip(header, columns, strict=True)
        if c not in COLUMNS and not c.startswith(IGNORED_PREFIXES) and c
    ]
    if unknown:
        raise CredentialFormatError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the template's columns are {', '.join(COLUMNS)} "
            "(columns starting with x_ or note are ignored)"
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CredentialFormatError(f"missing column(s): {', '.join(missing)}")

    credentials: dict[str, ParsedCredential] = {}
    first_row: dict[int, dict[str, tuple[str, int]]] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise CredentialFormatError(f"the CSV has more than {MAX_ROWS} rows; split it")
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) > len(columns):
                raise CredentialFormatError(
                    f"row {number}: {len(raw)} cells but {len(columns)} columns in the header"
                )
            row = {c: _cell_in(cell.strip()) for c, cell in zip(columns, raw, strict=False) if c in COLUMNS}
            _add_row(row, number, credentials, first_row)
    except csv.Error as exc:
        raise CredentialFormatError(f"row {reader.line_num}: {exc}") from None
    if not credentials:
        raise CredentialFormatError("the CSV has a header but no rows")
    return list({id(c): c for c in credentials.values()}.values())


def _add_row(row: dict, number: int, credentials: dict, first_row: dict) -> None:
    credential = _row_credential(row, number, credentials, first_row)
    _read_credential_columns(row, number, credential, first_row[id(credential)])
    competency = _row_competency(row, number)
    if competency is not None:
        credential.competencies.append(competency)


def _row_credential(row: dict, number: int, credentials: dict, first_row: dict) -> ParsedCredential:
    """The credential a row belongs to, made on its first row."""
    name = row.get("credential_name", "")
    if not name:
        raise CredentialFormatError(f"row {number}, credential_name: is required")
    ctid_cell = row.get("credential_ctid", "")
    ctid = ctid_from(ctid_cell) if ctid_cell else None
    if ctid_cell and not ctid:
        raise CredentialFormatError(
            f"row {number}, credential_ctid: {ctid_cell!r} does not look like ce-<uuid>"
        )
    # A row finds its credential by CTID, else by name; a CTID given on a later row joins the rows of that
    # name that had none (the credential's columns may be given on one row only).
    name_key = f"name:{name.casefold()}"
    credential = credentials.get(ctid) if ctid else None
    if credential is None:
        named = credentials.get(name_key)
        if named is not None and (ctid is None or named.ctid is None):
            credential = named
            if ctid:
                credential.ctid = ctid
    if credential is None:
        credential = ParsedCredential(name=name, source_format="csv", ctid=ctid)
        first_row[id(credential)] = {}
    if ctid:
        credentials.setdefault(ctid, credential)
    credentials.setdefault(name_key, credential)
    return credential


def _read_credential_columns(row: dict, number: int, credential: ParsedCredential, seen: dict) -> None:
    """The credential's own columns on this row; a single-valued column may not change between rows."""
    for column in CREDENTIAL_SINGLE:
        value = row.get(column, "")
        if not value:
            continue
        if column in seen and seen[column][0] != value:
            raise CredentialFormatError(
                f"row {number}, {column}: {value!r} differs from {seen[column][0]!r} given on row "
                f"{seen[column][1]} "
                "for the same credential"
            )
        seen.setdefault(column, (value, number))
    if row.get("credential_type"):
        kind = row["credential_type"].removeprefix("ceterms:")
        if not (is_credential_class(kind) or kind == FRAMEWORK_TYPE):
            raise CredentialFormatError(
                f"row {number}, credential_type: {row['credential_type']!r} is not a CTDL credential type "
                "(e.g. Certificate, Certification, AssociateDegree, Badge, MicroCredential)"
            )
        credential.type = kind
    if row.get("credential_url"):
        if not is_web_url(row["credential_url"]):
            raise CredentialFormatError(
                f"row {number}, credential_url: {row['credential_url']!r} is not an http(s) URL"
            )
        credential.url = row["credential_url"]
    if row.get("credential_description"):
        credential.description = row["credential_description"]
    if row.get("region"):
        credential.region = row["region"]
    for code in filter(None, SPLIT_OCCUPATIONS.split(row.get("occupations", ""))):
        normalised = normalise_occupation(code)
        if normalised is None:
            raise CredentialFormatError(
                f"row {number}, occupations: {code!r} is not an O*NET-SOC or SOC code (like 15-1232.00)"
            )
        if normalised not in credential.occupations:
            credential.occupations.append(normalised)


def _row_competency(row: dict, number: int) -> ParsedCompetency | None:
    """The row's competency, or None for a row that only describes its credential."""
    text = row.get("competency_text", "")
    if not text:
        if any(row.get(c) for c in ("competency_label", "competency_category", "competency_level")):
            raise CredentialFormatError(
                f"row {number}, competency_text: is required when the row has a competency"
            )
        return None
    level = None
    if row.get("competency_level"):
        level = parse_level(row["competency_level"])
        if level is None:
            raise CredentialFormatError(
                f"row {number}, competency_level: {row['competency_level']!r} is not a Connecting "
                f"Credentials "
                "Framework level (1 to 8)"
            )
    domain = None
    if row.get("competency_domain"):
        domain = parse_domain(row["competency_domain"])
        if domain is None:
            raise CredentialFormatError(
                f"row {number}, competency_domain: {row['competency_domain']!r} "
                f"is not one of {', '.join(DOMAINS)}"
            )
    return ParsedCompetency(
        text=text,
        ext_id=row.get("competency_id") or None,
        label=row.get("competency_label") or None,
        category=row.get("competency_category") or None,
        coded_notation=row.get("coded_notation") or None,
        level=level,
        domain=domain,
    )


def write_csv(credentials: list[ParsedCredential]) -> str:
    """The template form of credentials (one row per competency); `read_csv` reads it back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in credentials:
        head = [
            c.name,
            c.ctid or "",
            c.type,
            c.url or "",
            c.description,
            "; ".join(c.occupations),
            c.region or "",
        ]
        for comp in c.competencies or [None]:
            tail = (
                [
                    comp.text,
                    comp.label or "",
                    comp.category or "",
                    comp.level or "",
                    comp.domain or "",
                    comp.ext_id or "",
                    comp.coded_notation or "",
                ]
                if comp
                else [""] * 7
            )
            writer.writerow([_cell_out(cell) for cell in head + tail])
    return out.getvalue()
