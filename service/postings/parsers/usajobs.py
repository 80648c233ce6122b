"""USAJOBS search API: `GET https://data.usajobs.gov/api/search` with the `Authorization-Key` header and the
requester's e-mail as `User-Agent` (as USAJOBS asks); results in
`SearchResult.SearchResultItems[].MatchedObjectDescriptor`, pages through `Page` up to
`SearchResult.UserArea.NumberOfPages`."""

from __future__ import annotations

import html

from service.postings.fetch import PageRequest
from service.postings.parsers import FeedError, ParsedPage, load_json, source_label, text_of
from service.postings.records import PostingRecord

API = "https://data.usajobs.gov/api/search"
PAGE_SIZE = 500


def endpoint(board: str | None = None) -> str:
    return API


def first_request(url: str, options: dict) -> PageRequest:
    params = {str(k): str(v) for k, v in (options.get("params") or {}).items()}
    if options.get("keyword"):
        params["Keyword"] = str(options["keyword"])
    params.setdefault("ResultsPerPage", str(options.get("page_size") or PAGE_SIZE))
    params["Page"] = "1"
    headers = {"Authorization-Key": str(options.get("api_key") or ""), "Accept": "application/json"}
    if options.get("email"):
        headers["User-Agent"] = str(options["email"])
    return PageRequest(url, params=params, headers=headers)


def _html(descriptor: dict) -> str:
    details = (
        ((descriptor.get("UserArea") or {}).get("Details") or {}) if isinstance(descriptor, dict) else {}
    )
    parts = []
    summary = details.get("JobSummary") or descriptor.get("QualificationSummary")
    if details.get("JobSummary"):
        parts.append(f"<p>{html.escape(str(details['JobSummary']))}</p>")
    duties = details.get("MajorDuties")
    if duties:
        items = duties if isinstance(duties, list) else [duties]
        parts.append(
            "<h3>Duties</h3><ul>" + "".join(f"<li>{html.escape(str(d))}</li>" for d in items) + "</ul>"
        )
    if descriptor.get("QualificationSummary"):
        parts.append(f"<h3>Qualifications</h3><p>{html.escape(str(descriptor['QualificationSummary']))}</p>")
    elif summary and not parts:
        parts.append(f"<p>{html.escape(str(summary))}</p>")
    return "".join(parts)


def parse(body: bytes, request: PageRequest, options: dict) -> ParsedPage:
    data = load_json(body, "USAJOBS")
    result = data.get("SearchResult") if isinstance(data, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("SearchResultItems"), list):
        raise FeedError("USAJOBS answer has no SearchResult.SearchResultItems")
    page = ParsedPage()
    source = source_label(options, "usajobs")
    for item in result["SearchResultItems"]:
        descriptor = item.get("MatchedObjectDescriptor") if isinstance(item, dict) else None
        external_id = (item or {}).get("MatchedObjectId") if isinstance(item, dict) else None
        if not isinstance(descriptor, dict):
            page.failed += 1
            page.errors.append("a USAJOBS item without MatchedObjectDescriptor")
            continue
        external_id = external_id or descriptor.get("PositionID")
        if not external_id:
            page.failed += 1
            page.errors.append("a USAJOBS item without an id")
            continue
        page.records.append(
            PostingRecord(
                source=source,
                external_id=str(external_id),
                title=text_of(descriptor.get("PositionTitle")) or "",
                html=_html(descriptor),
                url=descriptor.get("PositionURI"),
                employer=text_of(descriptor.get("OrganizationName"))
                or text_of(descriptor.get("DepartmentName")),
                region=text_of(descriptor.get("PositionLocationDisplay")),
                posted_at=descriptor.get("PublicationStartDate"),
            )
        )
    pages = (
        ((result.get("UserArea") or {}).get("NumberOfPages"))
        if isinstance(result.get("UserArea"), dict)
        else None
    )
    current = int(request.params.get("Page") or 1)
    try:
        total_pages = int(pages) if pages is not None else 1
    except (TypeError, ValueError):
        total_pages = 1
    if current < total_pages and result["SearchResultItems"]:
        page.next = PageRequest(
            request.url, params=dict(request.params, Page=str(current + 1)), headers=request.headers
        )
    return page
