"""Lever postings API: `GET /v0/postings/{site}?mode=json` → a bare array.

The requirements live in `lists[{text, content}]` (content is `<li>` HTML), so the text is assembled from
`descriptionPlain`, each list under its heading, and `additionalPlain`. Paginated with `skip` and `limit`:
a full page asks for the next one."""

from __future__ import annotations

import html

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, load_json, source_label, text_of
from service.postings.records import PostingRecord

API = "https://api.lever.co/v0/postings/{board}"
PAGE_SIZE = 100


def endpoint(board: str) -> str:
    return API.format(board=board)


def first_request(url: str, options: dict) -> PageRequest:
    size = int(options.get("page_size") or PAGE_SIZE)
    return PageRequest(url, params={"mode": "json", "skip": "0", "limit": str(size)})


def _paragraphs(text: str | None) -> str:
    if not text:
        return ""
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n") if part.strip())


def posting_html(job: dict) -> str:
    parts = [_paragraphs(job.get("descriptionPlain")) or (job.get("description") or "")]
    for block in job.get("lists") or []:
        if isinstance(block, dict):
            parts.append(
                f"<h3>{html.escape(str(block.get('text') or ''))}</h3><ul>{block.get('content') or ''}</ul>"
            )
    parts.append(_paragraphs(job.get("additionalPlain")) or (job.get("additional") or ""))
    return "".join(parts)


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    data = load_json(body, "Lever")
    if not isinstance(data, list):
        raise FeedError("Lever answer is not a list of postings")
    page = ParsedPage()
    source = source_label(options, "lever")
    for job in data:
        if not isinstance(job, dict) or not job.get("id"):
            page.failed += 1
            page.errors.append("a Lever posting without an id")
            continue
        categories = job.get("categories") if isinstance(job.get("categories"), dict) else {}
        page.records.append(
            PostingRecord(
                source=source,
                external_id=str(job["id"]),
                title=text_of(job.get("text")) or "",
                html=posting_html(job),
                url=job.get("hostedUrl"),
                employer=options.get("employer"),
                region=text_of(categories.get("location")),
                location={
                    "categories": categories,
                    "workplaceType": job.get("workplaceType"),
                    "country": job.get("country"),
                },
                posted_at=job.get("createdAt"),
            )
        )
    limit = int(request.params.get("limit") or 0)
    if limit and len(data) >= limit:
        skip = int(request.params.get("skip") or 0) + len(data)
        page.next = PageRequest(
            request.url, params=dict(request.params, skip=str(skip)), headers=request.headers
        )
    return page
