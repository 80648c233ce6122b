"""Ashby job board API: `GET /posting-api/job-board/{board}` → `{"jobs": [...]}` (no pagination)."""

from __future__ import annotations

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, load_json, source_label, text_of
from service.postings.records import PostingRecord

API = "https://api.ashbyhq.com/posting-api/job-board/{board}"
_LOCATION_KEYS = ("location", "isRemote", "workplaceType", "address", "secondaryLocations")


def endpoint(board: str) -> str:
    return API.format(board=board)


def first_request(url: str, options: dict) -> PageRequest:
    return PageRequest(url)


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    data = load_json(body, "Ashby")
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise FeedError("Ashby answer has no `jobs` list")
    page = ParsedPage()
    source = source_label(options, "ashby")
    for job in data["jobs"]:
        if not isinstance(job, dict) or not job.get("id"):
            page.failed += 1
            page.errors.append("an Ashby job without an id")
            continue
        if job.get("isListed") is False:
            continue
        page.records.append(
            PostingRecord(
                source=source,
                external_id=str(job["id"]),
                title=text_of(job.get("title")) or "",
                text=job.get("descriptionPlain") or "",
                html=None if job.get("descriptionPlain") else job.get("descriptionHtml"),
                url=job.get("jobUrl"),
                employer=options.get("employer"),
                region=text_of(job.get("location")),
                location={k: job.get(k) for k in _LOCATION_KEYS if job.get(k) is not None},
                posted_at=job.get("publishedAt"),
            )
        )
    return page
