"""Pure parsers: the bytes of one feed page → posting records (and the request for the next page).

One module per source kind; each exposes `first_request(url, options) -> PageRequest` and
`parse(body, request, options) -> ParsedPage`. No I/O here: the fetcher brings the bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from service.postings.fetch import PageRequest
from service.postings.records import PostingRecord


class FeedError(ValueError):
    """A page that is not what its kind promises (garbage, wrong shape), said in words."""


@dataclass(slots=True)
class ParsedPage:
    records: list[PostingRecord] = field(default_factory=list)
    next: PageRequest | None = None
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def load_json(body: bytes, what: str) -> object:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{what} answered something that is not JSON ({exc})") from None


def text_of(value: object) -> str | None:
    """A string from a string, a number or a {name|label|text|value} object; None when empty."""
    if value is None:
        return None
    if isinstance(value, dict):
        for key in ("name", "label", "text", "value"):
            if value.get(key):
                return text_of(value[key])
        return None
    if isinstance(value, list):
        parts = [t for t in (text_of(v) for v in value) if t]
        return "; ".join(parts) or None
    text = str(value).strip()
    return text or None


def source_label(options: dict, default: str) -> str:
    return str(options.get("source") or default)
