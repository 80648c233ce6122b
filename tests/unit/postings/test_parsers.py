"""Each source kind's pure parser on fixtures in that kind's own shape."""

from __future__ import annotations

import json

import pytest

from service.postings.fetch import PageRequest, backoff_delay, retry_after_seconds
from service.postings.parsers import FeedError, ashby, csvfeed, greenhouse, jsonld, lever, rss, usajobs
from service.postings.scheduling import is_due
from tests.support.feeds import (
    ashby_body,
    atom_body,
    csv_body,
    greenhouse_body,
    jobposting,
    jsonld_page,
    lever_posting,
    rss_body,
    usajobs_body,
)

OPTS = {"source": "src"}


def req(url: str = "https://feed.example/x", **params) -> PageRequest:  # noqa: ANN003
    return PageRequest(url, params={k: str(v) for k, v in params.items()})


def test_greenhouse():
    page = greenhouse.parse(greenhouse_body([1, 2]).encode(), req(), OPTS)
    assert [r.external_id for r in page.records] == ["4000001", "4000002"]
    first = page.records[0]
    assert first.source == "src" and first.region == "Columbus, OH"
    assert "&lt;h3&gt;Requirements" in first.html  # escaped once more; html_to_text unescapes it
    assert page.next is None
    with pytest.raises(FeedError, match="not JSON"):
        greenhouse.parse(b"<html>", req(), OPTS)
    with pytest.raises(FeedError, match="jobs"):
        greenhouse.parse(b'{"jobs": {}}', req(), OPTS)


def test_lever_text_has_lists_and_pages_continue_while_full():
    body = json.dumps([lever_posting(0), lever_posting(1)]).encode()
    page = lever.parse(body, req(mode="json", skip=0, limit=2), OPTS)
    assert len(page.records) == 2
    assert "<h3>Requirements</h3><ul><li>" in page.records[0].html
    assert page.records[0].posted_at == 1767225600000
    assert page.next is not None and page.next.params["skip"] == "2"
    last = lever.parse(json.dumps([lever_posting(2)]).encode(), req(mode="json", skip=2, limit=2), OPTS)
    assert last.next is None
    with pytest.raises(FeedError, match="not a list"):
        lever.parse(b'{"ok": true}', req(), OPTS)


def test_ashby_skips_unlisted_jobs():
    data = json.loads(ashby_body([1, 2]))
    data["jobs"][1]["isListed"] = False
    page = ashby.parse(json.dumps(data).encode(), req(), OPTS)
    assert [r.external_id for r in page.records] == ["ashby-1"]
    assert "Requirements:" in page.records[0].text


def test_rss_and_atom_with_next_links():
    page = rss.parse(rss_body([1, 2], next_url="/page2").encode(), req("https://feed.example/jobs.xml"), OPTS)
    assert [r.external_id for r in page.records] == ["rss-1", "rss-2"]
    assert str(page.records[0].posted_at) == "2026-03-02"
    assert page.next.url == "https://feed.example/page2"
    atom = rss.parse(atom_body([3]).encode(), req(), OPTS)
    assert atom.records[0].external_id == "urn:atom:3" and atom.records[0].employer == "Acme"
    assert atom.next is None
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        rss.parse(b"\x00\x01garbage{", req(), OPTS)


def test_jsonld_in_pages_graphs_and_documents():
    page = jsonld.parse(jsonld_page([1, 2]).encode(), req(), OPTS)
    assert [r.external_id for r in page.records] == ["jp-1", "jp-2"]
    assert page.records[0].occupation == "51-4121.00"
    assert page.records[0].region == "Dayton, OH, US"
    graph = jsonld.parse(jsonld_page([3], graph=True).encode(), req(), OPTS)
    assert [r.title for r in graph.records] == ["Data Analyst 3"]
    doc = jsonld.parse(json.dumps([jobposting(4), {"@type": "Organization"}]).encode(), req(), OPTS)
    assert len(doc.records) == 1
    no_id = jobposting(5)
    del no_id["identifier"]
    assert (
        jsonld.parse(json.dumps(no_id).encode(), req(""), OPTS).records[0].external_id.startswith("sha256:")
    )
    with pytest.raises(FeedError):
        jsonld.parse(b"{not json", req(), OPTS)


def test_csv_loose_headers_and_explicit_columns():
    page = csvfeed.parse(csv_body([1, 2]).encode(), req(), OPTS)
    assert [r.external_id for r in page.records] == ["csv-1", "csv-2"]
    assert page.records[0].employer == "Acme" and page.records[0].posted_at == "2026-02-01"
    mapped = csvfeed.parse(
        b"Ref,Job,Body\n7,Welder,MIG\n",
        req(),
        {"columns": {"external_id": "Ref", "title": "Job", "text": "Body"}},
    )
    assert mapped.records[0].external_id == "7" and mapped.records[0].text == "MIG"
    with pytest.raises(FeedError, match="lacks column"):
        csvfeed.parse(b"a,b\n1,2\n", req(), OPTS)


def test_usajobs_pages_and_text():
    first = usajobs.first_request(
        "https://data.usajobs.gov/api/search", {"api_key": "k", "email": "me@x.org", "keyword": "nurse"}
    )
    assert first.headers["Authorization-Key"] == "k" and first.headers["User-Agent"] == "me@x.org"
    assert first.params["Page"] == "1" and first.params["Keyword"] == "nurse"
    page = usajobs.parse(usajobs_body([1], pages=2).encode(), first, OPTS)
    assert page.records[0].external_id == "800001"
    assert "<h3>Duties</h3>" in page.records[0].html
    assert page.next.params["Page"] == "2"
    assert usajobs.parse(usajobs_body([2], pages=2).encode(), page.next, OPTS).next is None
    with pytest.raises(FeedError, match="SearchResultItems"):
        usajobs.parse(b'{"SearchResult": {}}', first, OPTS)


def test_retry_after_and_backoff():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
    import random

    rng = random.Random(1)
    delays = [backoff_delay(a, 1.0, rng) for a in range(4)]
    for attempt, delay in enumerate(delays):
        assert 0.5 * 2**attempt <= delay < 1.5 * 2**attempt
    assert backoff_delay(20, 1.0) <= 60


def test_cron_due_coalesces_missed_firings():
    from datetime import UTC, datetime

    last = datetime(2026, 3, 1, 3, 0, 5, tzinfo=UTC)
    assert not is_due("0 3 * * *", last, datetime(2026, 3, 2, 2, 59, tzinfo=UTC))
    assert is_due("0 3 * * *", last, datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    assert is_due("0 3 * * *", last, datetime(2026, 3, 9, 12, 0, tzinfo=UTC))  # a week down: one run
    assert not is_due("not a cron", last, datetime(2026, 3, 9, tzinfo=UTC))
