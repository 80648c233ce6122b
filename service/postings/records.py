"""A posting as every intake path sees it (API, files, feeds), and the pure rules that normalise it.

Each parser turns its format into `PostingRecord`s; `normalise` gives them clean text, a date and the content
fingerprint, so that one code path stores postings whatever their origin.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from service.geo import normalise as normalise_location
from service.postings.htmltext import clean_plain_text, html_to_text, looks_like_html

MAX_TEXT_CHARS = 200_000
_WORDS = re.compile(r"\w+", re.UNICODE)
_SOC = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")


class RecordError(ValueError):
    """A posting that cannot be stored, with the reason in words."""


@dataclass(slots=True)
class PostingRecord:
    source: str
    external_id: str
    title: str = ""
    text: str = ""
    html: str | None = None
    url: str | None = None
    employer: str | None = None
    region: str | None = None
    occupation: str | None = None
    posted_at: date | None = None
    extra: dict = field(default_factory=dict)
    location: object = None  # a feed's location object (Greenhouse, Lever, Ashby, schema.org), for `geo`


@dataclass(frozen=True, slots=True)
class NormalPosting:
    """What is stored: clean text, a date, a normalised occupation code and the content fingerprint."""

    source: str
    external_id: str
    title: str
    text: str
    url: str | None
    employer: str | None
    region: str | None
    occupation: str | None
    posted_at: date | None
    content_hash: str
    geo: dict | None = None  # the location as US codes (service/geo), None when nothing is known

    def stored_fields(self) -> dict:
        return {
            "url": self.url,
            "title": self.title,
            "employer": self.employer,
            "text": self.text,
            "region": self.region,
            "posted_at": self.posted_at,
            "content_hash": self.content_hash,
            "geo": self.geo,
        }


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the title and text reduced to lower-case words: reposts with other ids, markup or
    whitespace get the same fingerprint, so demand counts them once."""
    folded = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(" ".join(_WORDS.findall(folded)).encode()).hexdigest()


def normalise_occupation(code: str | None) -> str | None:
    """An O*NET-SOC code (`15-1232.00`); a bare SOC code (`15-1232`) gets `.00`; anything else is refused."""
    if code is None or not str(code).strip():
        return None
    value = str(code).strip()
    if not _SOC.match(value):
        raise RecordError(f"occupation {value!r} is not an O*NET-SOC code like 15-1232.00")
    return value if "." in value else f"{value}.00"


def parse_date(value: object) -> date | None:
    """A date from ISO dates/datetimes, RFC 2822 dates, epoch seconds or milliseconds; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10_000_000_000 else value
        return datetime.fromtimestamp(seconds, UTC).date()
    text = str(value).strip()
    if text.isdigit():
        return parse_date(int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed.astimezone(UTC) if parsed.tzinfo else parsed).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise RecordError(f"date {text!r} is not a date (use YYYY-MM-DD)") from None
    return (parsed.astimezone(UTC) if parsed.tzinfo else parsed).date()


def _clip(value: object, limit: int) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


def normalise(record: PostingRecord) -> NormalPosting:
    """Clean text (HTML converted), trimmed fields, a valid occupation code and the fingerprint."""
    source = _clip(record.source, 200)
    external_id = _clip(record.external_id, 500)
    if not source:
        raise RecordError("source is empty")
    if not external_id:
        raise RecordError("external_id is empty")
    if record.html and record.html.strip():
        text = html_to_text(record.html)
    elif record.text and looks_like_html(record.text):
        text = html_to_text(record.text)
    else:
        text = clean_plain_text(record.text or "")
    title = _clip(record.title, 1000) or ""
    if not text and not title:
        raise RecordError(f"posting {external_id!r} has neither title nor text")
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f"posting {external_id!r} text is longer than {MAX_TEXT_CHARS} characters")
    url = _clip(record.url, 2000)
    return NormalPosting(
        source=source,
        external_id=external_id,
        title=title,
        text=text,
        url=url,
        employer=_clip(record.employer, 500),
        region=_clip(record.region, 200),
        occupation=normalise_occupation(record.occupation),
        posted_at=parse_date(record.posted_at),
        content_hash=content_hash(title, text),
        geo=posting_geo(record),
    )


def posting_geo(record: PostingRecord) -> dict | None:
    """The posting's location as codes: from the feed's location object when there is one, else its region."""
    location = normalise_location(record.location if record.location is not None else record.region)
    return location.as_json() if location.known else None


def with_defaults(record: PostingRecord, *, region: str | None, occupation: str | None) -> PostingRecord:
    """The record with a source's default region and occupation where it has none."""
    return replace(record, region=record.region or region, occupation=record.occupation or occupation)
