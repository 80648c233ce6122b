"""RSS 2.0 and Atom feeds (feedparser). Pages are followed through `<link rel="next">` (RFC 5005 paging),
which Atom feeds and RSS feeds with `atom:link` both use."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

import feedparser

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, source_label
from service.postings.records import PostingRecord


def first_request(url: str, options: dict) -> PageRequest:
    return PageRequest(
        url, headers={"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
    )


def _date(entry: dict) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def _body(entry: dict) -> str:
    contents = entry.get("content") or []
    for content in contents:
        if content.get("value"):
            return content["value"]
    return entry.get("summary") or entry.get("description") or ""


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    feed = feedparser.parse(body)
    if not feed.get("version") and not feed.entries:
        reason = feed.get("bozo_exception")
        raise FeedError(f"not an RSS or Atom feed ({reason})" if reason else "not an RSS or Atom feed")
    page = ParsedPage()
    source = source_label(options, "rss")
    for entry in feed.entries:
        external_id = entry.get("id") or entry.get("guid") or entry.get("link")
        if not external_id:
            page.failed += 1
            page.errors.append(f"feed entry {entry.get('title', '')!r} has no id, guid or link")
            continue
        region = entry.get("location") or entry.get("job_location") or None
        page.records.append(
            PostingRecord(
                source=source,
                external_id=str(external_id),
                title=entry.get("title") or "",
                html=_body(entry),
                url=entry.get("link"),
                employer=entry.get("author") or options.get("employer"),
                region=region,
                posted_at=_date(entry),
            )
        )
    for link in feed.feed.get("links", []):
        if link.get("rel") == "next" and link.get("href"):
            page.next = PageRequest(urljoin(request.url, link["href"]), headers=request.headers)
            break
    return page
