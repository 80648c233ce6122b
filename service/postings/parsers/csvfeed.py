"""CSV postings (a URL or a file): a header row, one posting per row. Column names are matched loosely
(`id`/`external_id`, `description`/`text`, `company`/`employer`, `location`/`region`, `date`/`posted_at`,
`onet_soc`/`occupation`…); `options["columns"]` maps our field names to other headers."""

from __future__ import annotations

import csv
import io

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, source_label
from service.postings.records import PostingRecord

ALIASES = {
    "external_id": ("external_id", "id", "job_id", "posting_id", "requisition_id", "guid"),
    "title": ("title", "job_title", "position", "position_title"),
    "text": ("text", "description", "body", "job_description", "summary"),
    "html": ("html", "description_html"),
    "url": ("url", "link", "job_url"),
    "employer": ("employer", "company", "organization", "organisation", "company_name"),
    "region": ("region", "location", "state", "area"),
    "occupation": ("occupation", "onet_soc", "onet_soc_code", "soc", "soc_code", "occupation_code"),
    "posted_at": ("posted_at", "date", "date_posted", "posted", "published", "created_at"),
    "source": ("source",),
}
csv.field_size_limit(4 * 1024 * 1024)


def first_request(url: str, options: dict) -> PageRequest:
    return PageRequest(url, headers={"Accept": "text/csv, text/plain;q=0.9"})


def _key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def column_map(header: list[str], overrides: dict | None = None) -> dict[str, str]:
    keys = {_key(h): h for h in header if h}
    mapping: dict[str, str] = {}
    for field_name, aliases in ALIASES.items():
        wanted = (overrides or {}).get(field_name)
        if wanted and wanted in header:
            mapping[field_name] = wanted
            continue
        for alias in aliases:
            if alias in keys:
                mapping[field_name] = keys[alias]
                break
    return mapping


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    if "\x00" in text:
        raise FeedError("CSV contains binary data")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    mapping = column_map(list(header), options.get("columns"))
    missing = [f for f in ("title",) if f not in mapping]
    if "text" not in mapping and "html" not in mapping:
        missing.append("description/text")
    if missing:
        raise FeedError(f"CSV header {header!r} lacks column(s): {', '.join(missing)}")
    page = ParsedPage()
    default_source = source_label(options, "csv")
    try:
        for line, row in enumerate(reader, start=2):

            def get(name: str, row: dict = row) -> str | None:
                column = mapping.get(name)
                value = row.get(column) if column else None
                return value.strip() if isinstance(value, str) and value.strip() else None

            external_id = get("external_id") or (get("url") if "external_id" not in mapping else None)
            if not external_id:
                page.failed += 1
                page.errors.append(f"line {line}: no id")
                continue
            page.records.append(
                PostingRecord(
                    source=get("source") or default_source,
                    external_id=external_id,
                    title=get("title") or "",
                    text=get("text") or "",
                    html=get("html"),
                    url=get("url"),
                    employer=get("employer"),
                    region=get("region"),
                    occupation=get("occupation"),
                    posted_at=get("posted_at"),
                )
            )
    except csv.Error as exc:
        raise FeedError(f"CSV is malformed near line {reader.line_num}: {exc}") from None
    return page
