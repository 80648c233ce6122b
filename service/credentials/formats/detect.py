"""Choosing the reader: by content type first, then by what the document looks like."""

from __future__ import annotations

import json
from typing import Any

from service.credentials.formats.case_read import looks_like_case, read_case
from service.credentials.formats.csv_read import decode_csv, read_csv
from service.credentials.formats.ctdl_read import looks_like_ctdl, read_ctdl
from service.credentials.formats.records import CredentialFormatError, ParsedCredential

CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
JSON_LD_TYPES = {"application/ld+json"}
JSON_TYPES = {"application/json", "text/json"}


class UnsupportedContentType(CredentialFormatError):
    """The body is in none of the formats we read (answered with 415)."""


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def guess_content_type(filename: str) -> str | None:
    name = filename.lower()
    if name.endswith((".jsonld", ".json-ld")):
        return "application/ld+json"
    if name.endswith(".json"):
        return "application/json"
    if name.endswith((".csv", ".tsv")):
        return "text/csv"
    return None


def load_json(data: bytes | str) -> Any:
    try:
        return json.loads(decode_csv(data) if isinstance(data, bytes) else data)
    except json.JSONDecodeError as exc:
        raise CredentialFormatError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def is_native(document: Any) -> bool:
    """The native shape of POST /api/v1/credentials ({"name", "competencies": [...]}), not JSON-LD or CASE."""
    return (
        isinstance(document, dict)
        and "name" in document
        and not any(k.startswith("@") or k.lower() in ("cfdocument", "cfitems") for k in document)
    )


def read_credential_document(data: bytes | str, content_type: str | None) -> list[ParsedCredential]:
    """Parse a CTDL JSON-LD, CASE CFPackage or CSV document; CredentialFormatError names what is wrong."""
    kind = media_type(content_type)
    if kind in CSV_TYPES:
        return read_csv(data)
    if kind in JSON_LD_TYPES:
        return read_ctdl(load_json(data))
    if kind in JSON_TYPES:
        document = load_json(data)
        if looks_like_case(document):
            return read_case(document)
        if looks_like_ctdl(document):
            return read_ctdl(document)
        raise CredentialFormatError(
            "this JSON is neither a CASE CFPackage (CFDocument, CFItems) nor CTDL JSON-LD (@graph "
            "with ceterms:/ceasn: "
            "nodes); native credentials go to POST /api/v1/credentials"
        )
    raise UnsupportedContentType(
        f"unsupported content type {kind or '(none)'!r}: send application/ld+json (CTDL), application/json "
        "(CASE CFPackage) or text/csv"
    )
