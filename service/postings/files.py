"""Reading posting files for `skillpulse postings import`: CSV, JSON lines, schema.org JobPosting JSON-LD.

Pure: bytes in, records and per-line errors out. The format is taken from the extension unless given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, csvfeed, jsonld
from service.postings.records import PostingRecord
from service.postings.schemas import PostingCreate

FORMATS = ("csv", "jsonl", "jsonld")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".html": "jsonld",
    ".htm": "jsonld",
}


@dataclass
class FileRecords:
    records: list[PostingRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        if given not in FORMATS:
            raise ValueError(f"unknown format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    found = _EXTENSIONS.get(path.suffix.lower())
    if not found:
        raise ValueError(f"cannot tell the format of {path.name}; pass --format {'|'.join(FORMATS)}")
    return found


def _jsonl(body: bytes, source: str) -> FileRecords:
    out = FileRecords()
    for number, line in enumerate(body.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            data.setdefault("source", source)
            item = PostingCreate.model_validate(data)
        except json.JSONDecodeError as exc:
            out.errors.append(f"line {number}: not JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "posting"
            out.errors.append(f"line {number}: {where}: {first['msg']}")
            continue
        except ValueError as exc:
            out.errors.append(f"line {number}: {exc}")
            continue
        out.records.append(
            PostingRecord(
                source=item.source,
                external_id=item.external_id,
                title=item.title,
                text=item.text or "",
                html=item.html,
                url=item.url,
                employer=item.employer,
                region=item.region,
                occupation=item.occupation,
                posted_at=item.posted_at,
            )
        )
    return out


def read_postings(body: bytes, fmt: str, source: str) -> FileRecords:
    """Records of a file's bytes in the given format; unreadable files raise FeedError."""
    options = {"source": source}
    if fmt == "jsonl":
        return _jsonl(body, source)
    parser = csvfeed if fmt == "csv" else jsonld
    page = parser.parse(body, PageRequest(""), options)
    return FileRecords(records=page.records, errors=page.errors)


__all__ = ["FORMATS", "FeedError", "FileRecords", "detect_format", "read_postings"]
