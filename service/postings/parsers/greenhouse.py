"""Greenhouse job board API: `GET /v1/boards/{token}/jobs?content=true` → `{"jobs": [...]}`.

`content` is HTML escaped once more; the whole board comes in one response (no pagination)."""

from __future__ import annotations

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, load_json, source_label, text_of
from service.postings.records import PostingRecord

API = "https://boards-api.greenhouse.io/v1/boards/{board}/jobs"


def endpoint(board: str) -> str:
    return API.format(board=board)


def first_request(url: str, options: dict) -> PageRequest:
    return PageRequest(url, params={"content": "true"})


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    data = load_json(body, "Greenhouse")
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise FeedError("Greenhouse answer has no `jobs` list")
    page = ParsedPage()
    source = source_label(options, "greenhouse")
    for job in data["jobs"]:
        if not isinstance(job, dict) or job.get("id") in (None, ""):
            page.failed += 1
            page.errors.append("a Greenhouse job without an id")
            continue
        page.records.append(
            PostingRecord(
                source=source,
                external_id=str(job["id"]),
                title=text_of(job.get("title")) or "",
                html=job.get("content") or "",
                url=job.get("absolute_url"),
                employer=options.get("employer") or text_of(job.get("company_name")),
                region=text_of(job.get("location")),
                location={"location": job.get("location"), "offices": job.get("offices")},
                posted_at=job.get("first_published") or job.get("updated_at"),
            )
        )
    return page
