"""Real HTTP servers on 127.0.0.1 serving feed fixtures we write, with the failure modes of the wild:
404, 500, garbage, slow answers (timeouts), truncated bodies, 429 with Retry-After, ETag 304s, pagination.

    with FeedServer() as feeds:
        feeds.route("/jobs", Reply(body=greenhouse_body(jobs)))          # same answer every time
        feeds.route("/flaky", Reply(status=500), Reply(body=...))         # one answer per request, last repeats
        feeds.route("/paged", lambda req: Reply(...))                     # computed from the request
        url = feeds.url("/jobs"); feeds.requests  # what was asked, with headers and query
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0  # seconds before answering (a slow server → client timeout)
    truncate: bool = False  # announce the full length, send half the body, close


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


Route = list[Reply] | Callable[[Seen], Reply]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                parts = urlsplit(self.path)
                seen = Seen(
                    "GET",
                    parts.path,
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                )
                reply = server._reply(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    if reply.truncate:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if reply.status != 304:
                        self.wfile.write(body[: len(body) // 2] if reply.truncate else body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                if reply.truncate:
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _reply(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            route = self.routes.get(seen.path)
            if route is None:
                return Reply(status=404, body='{"error": "not found"}')
            if callable(route):
                return route(seen)
            return route.pop(0) if len(route) > 1 else route[0]

    def route(self, path: str, *replies: Reply | Callable[[Seen], Reply]) -> str:
        with self._lock:
            self.routes[path] = replies[0] if len(replies) == 1 and callable(replies[0]) else list(replies)
        return self.url(path)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def with_etag(
    body: bytes | str,
    etag: str,
    content_type: str = "application/json",
    last_modified: str = "Mon, 02 Mar 2026 10:00:00 GMT",
) -> Callable[[Seen], Reply]:
    """A route that answers 304 when the client sends the current ETag back."""

    def reply(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == etag:
            return Reply(status=304, headers={"ETag": etag}, content_type=content_type)
        return Reply(
            body=body, headers={"ETag": etag, "Last-Modified": last_modified}, content_type=content_type
        )

    return reply


# --- fixtures in each kind's own shape -------------------------------------------------------------------

JOBS = [
    (
        "IT Support Specialist",
        "Troubleshoot Windows workstations and Active Directory accounts.",
        "Experience with SQL and Python is required.",
    ),
    ("Welder", "MIG and TIG welding of steel frames; read blueprints.", "AWS D1.1 certification preferred."),
    (
        "Medical Assistant",
        "Take vital signs and record patient histories in the EHR.",
        "Phlebotomy experience required.",
    ),
    ("Data Analyst", "Build dashboards in Tableau and query data with SQL.", "Python or R is a plus."),
    ("CNC Machinist", "Set up and operate CNC mills and lathes; read G-code.", "GD&T knowledge required."),
]


def job(i: int) -> tuple[str, str, str]:
    title, duties, needs = JOBS[i % len(JOBS)]
    return f"{title} {i}", duties, needs


def greenhouse_body(ids: list[int]) -> str:
    jobs = []
    for i in ids:
        title, duties, needs = job(i)
        content = f"<h2>Duties</h2><p>{duties}</p><h3>Requirements</h3><ul><li>{needs}</li></ul>"
        jobs.append(
            {
                "id": 4000000 + i,
                "title": title,
                "updated_at": "2026-03-02T10:00:00-05:00",
                "first_published": f"2026-02-{(i % 27) + 1:02d}T09:00:00-05:00",
                "location": {"name": "Columbus, OH"},
                "absolute_url": f"https://boards.example/jobs/{i}",
                "content": html.escape(content),
                "company_name": "Acme Health",
            }
        )
    return json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}})


def lever_posting(i: int) -> dict:
    title, duties, needs = job(i)
    return {
        "id": f"lever-{i:04d}",
        "text": title,
        "categories": {"location": "Pittsburgh, PA", "team": "Ops"},
        "createdAt": 1767225600000 + i * 86_400_000,
        "descriptionPlain": duties,
        "lists": [{"text": "Requirements", "content": f"<li>{needs}</li><li>Clear communication</li>"}],
        "additionalPlain": "We are an equal opportunity employer.",
        "hostedUrl": f"https://jobs.example/{i}",
    }


def ashby_body(ids: list[int]) -> str:
    jobs = []
    for i in ids:
        title, duties, needs = job(i)
        jobs.append(
            {
                "id": f"ashby-{i}",
                "title": title,
                "location": "Remote",
                "isListed": True,
                "publishedAt": f"2026-01-{(i % 27) + 1:02d}T12:00:00.000+00:00",
                "descriptionPlain": f"{duties}\nRequirements:\n- {needs}",
                "jobUrl": f"https://ashby.example/{i}",
            }
        )
    return json.dumps({"apiVersion": "1", "jobs": jobs})


def rss_body(ids: list[int], next_url: str | None = None) -> str:
    items = []
    for i in ids:
        title, duties, needs = job(i)
        items.append(
            f"<item><title>{title}</title><link>https://rss.example/{i}</link><guid>rss-{i}</guid>"
            f"<pubDate>Mon, 0{(i % 8) + 1} Mar 2026 10:00:00 GMT</pubDate>"
            f"<description>{html.escape(f'<p>{duties}</p><ul><li>{needs}</li></ul>')}</description></item>"
        )
    nxt = f'<atom:link rel="next" href="{next_url}"/>' if next_url else ""
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>Jobs</title><link>https://rss.example/</link><description>jobs</description>{nxt}"
        + "".join(items)
        + "</channel></rss>"
    )


def atom_body(ids: list[int], next_url: str | None = None) -> str:
    entries = []
    for i in ids:
        title, duties, needs = job(i)
        entries.append(
            f"<entry><title>{title}</title><id>urn:atom:{i}</id><link href='https://atom.example/{i}'/>"
            f"<updated>2026-03-0{(i % 8) + 1}T10:00:00Z</updated><author><name>Acme</name></author>"
            f"<content type='html'>{html.escape(f'<p>{duties}</p><ul><li>{needs}</li></ul>')}</content></entry>"
        )
    nxt = f"<link rel='next' href='{next_url}'/>" if next_url else ""
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Jobs</title>"
        f"<id>urn:jobs</id><updated>2026-03-09T00:00:00Z</updated>{nxt}" + "".join(entries) + "</feed>"
    )


def jobposting(i: int) -> dict:
    title, duties, needs = job(i)
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "description": f"<p>{duties}</p><ul><li>{needs}</li></ul>",
        "datePosted": "2026-02-10",
        "identifier": {"@type": "PropertyValue", "name": "Acme", "value": f"jp-{i}"},
        "hiringOrganization": {"@type": "Organization", "name": "Acme Manufacturing"},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Dayton",
                "addressRegion": "OH",
                "addressCountry": "US",
            },
        },
        "occupationalCategory": "51-4121.00 Welders, Cutters, Solderers, and Brazers"
        if "Welder" in title
        else None,
    }


def jsonld_page(ids: list[int], graph: bool = False) -> str:
    postings = [jobposting(i) for i in ids]
    if graph:
        blocks = [
            {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "Careers"}, *postings]}
        ]
    else:
        blocks = postings
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks)
    return f"<!doctype html><html><head><title>Careers</title>{scripts}</head><body><h1>Careers</h1></body></html>"


def csv_body(ids: list[int]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "description", "company", "location", "date_posted", "onet_soc"])
    for i in ids:
        title, duties, needs = job(i)
        writer.writerow([f"csv-{i}", title, f"{duties}\n- {needs}", "Acme", "OH", "2026-02-01", ""])
    return out.getvalue()


def usajobs_body(ids: list[int], pages: int = 1) -> str:
    items = []
    for i in ids:
        title, duties, needs = job(i)
        items.append(
            {
                "MatchedObjectId": f"{800000 + i}",
                "MatchedObjectDescriptor": {
                    "PositionID": f"VA-{i}",
                    "PositionTitle": title,
                    "PositionURI": f"https://www.usajobs.gov/job/{i}",
                    "PositionLocationDisplay": "Cleveland, Ohio",
                    "OrganizationName": "Veterans Health Administration",
                    "PublicationStartDate": "2026-02-15T00:00:00.0000",
                    "QualificationSummary": needs,
                    "UserArea": {"Details": {"JobSummary": duties, "MajorDuties": [duties]}},
                },
            }
        )
    return json.dumps(
        {
            "LanguageCode": "EN",
            "SearchResult": {
                "SearchResultCount": len(items),
                "SearchResultItems": items,
                "UserArea": {"NumberOfPages": str(pages), "IsRadialSearch": False},
            },
        }
    )
