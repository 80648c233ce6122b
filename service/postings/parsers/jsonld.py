"""schema.org `JobPosting` in JSON-LD: in the `<script type="application/ld+json">` blocks of HTML pages,
or a JSON-LD document itself; at the top level, in lists, or inside `@graph`."""

from __future__ import annotations

import json
import re

from selectolax.lexbor import LexborHTMLParser

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, source_label, text_of
from service.postings.records import PostingRecord, content_hash

_SOC_IN_TEXT = re.compile(r"\b(\d{2}-\d{4}(?:\.\d{2})?)\b")
_LOCATION_KEYS = ("jobLocation", "jobLocationType", "applicantLocationRequirements")


def first_request(url: str, options: dict) -> PageRequest:
    return PageRequest(url, headers={"Accept": "text/html, application/ld+json;q=0.9"})


def _is_job_posting(node: dict) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for k in kinds if k)


def find_job_postings(document: object) -> list[dict]:
    """Every JobPosting node, wherever it sits (lists, `@graph`, nested `itemListElement`/`item`)."""
    found: list[dict] = []
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if _is_job_posting(node):
                found.append(node)
                continue
            for key in ("@graph", "itemListElement", "item", "mainEntity"):
                if key in node:
                    stack.append(node[key])
    return found


def _region(posting: dict) -> str | None:
    locations = posting.get("jobLocation")
    locations = locations if isinstance(locations, list) else [locations]
    for location in locations:
        if not isinstance(location, dict):
            continue
        address = location.get("address")
        if isinstance(address, dict):
            parts = [text_of(address.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")]
            joined = ", ".join(p for p in parts if p)
            if joined:
                return joined
        if text_of(location.get("name")):
            return text_of(location.get("name"))
    if posting.get("jobLocationType") == "TELECOMMUTE":
        return "Remote"
    return None


def _identifier(posting: dict) -> str | None:
    ident = posting.get("identifier")
    if isinstance(ident, dict):
        return text_of(ident.get("value")) or text_of(ident.get("name"))
    if isinstance(ident, list):
        for item in ident:
            value = _identifier({"identifier": item})
            if value:
                return value
        return None
    return text_of(ident)


def _occupation(posting: dict) -> str | None:
    for key in ("occupationalCategory", "onetCode", "occupationCode"):
        value = posting.get(key)
        if isinstance(value, dict):
            value = value.get("codeValue") or value.get("name")
        if value:
            match = _SOC_IN_TEXT.search(str(value))
            if match:
                return match.group(1)
    return None


def record_of(posting: dict, source: str, page_url: str | None = None) -> PostingRecord:
    title = text_of(posting.get("title")) or text_of(posting.get("name")) or ""
    description = posting.get("description") or ""
    url = text_of(posting.get("url")) or page_url
    external_id = _identifier(posting) or text_of(posting.get("@id")) or text_of(posting.get("url"))
    if not external_id:
        # No id at all: the content itself identifies it (a changed posting becomes a new one).
        external_id = "sha256:" + content_hash(title, str(description))[:32]
    return PostingRecord(
        source=source,
        external_id=external_id,
        title=title,
        html=str(description),
        url=url,
        employer=text_of(posting.get("hiringOrganization")),
        region=_region(posting),
        location={k: posting.get(k) for k in _LOCATION_KEYS if posting.get(k) is not None},
        occupation=_occupation(posting),
        posted_at=posting.get("datePosted"),
    )


def documents(body: bytes) -> list[object]:
    """JSON-LD documents of a page: the body itself when it is JSON, else its ld+json script blocks."""
    text = body.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return [json.loads(stripped)]
        except json.JSONDecodeError as exc:
            raise FeedError(f"JSON-LD document is not valid JSON ({exc})") from None
    tree = LexborHTMLParser(text)
    docs: list[object] = []
    for script in tree.css('script[type="application/ld+json"]'):
        raw = script.text(deep=True, separator="", strip=False)
        try:
            docs.append(json.loads(raw))
        except json.JSONDecodeError:
            continue  # one broken block does not hide the others
    if not docs and not tree.css("html, body, head"):
        raise FeedError("page is neither HTML nor JSON-LD")
    return docs


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    page = ParsedPage()
    source = source_label(options, "jsonld")
    for document in documents(body):
        for posting in find_job_postings(document):
            record = record_of(posting, source, request.url or None)
            page.records.append(record)
    return page
