"""Feed servers that misbehave in ways tests/integration/test_import_sources.py does not cover: one that
trickles its body a byte at a time (each read within the read timeout, the whole never ending), and bytes that
are not text at all in each feed format. The run fails with a reason, in bounded time, storing nothing."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from service.app import create_app
from service.settings import PostingsSettings
from tests.conftest import Api
from tests.support.clients import app_client
from tests.support.feeds import FeedServer, Reply
from tests.support.postings import org_postings
from tests.support.runs import run_source

FAST = PostingsSettings(
    connect_timeout=1.0, read_timeout=0.5, retries=0, backoff_seconds=0.01, fetch_deadline=2.0
)


@contextlib.contextmanager
def trickling_server(seconds: float = 20.0) -> Iterator[str]:
    """Announces a 100 kB JSON body, then sends one byte every 0.1 s (a slowloris feed)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n["
                )
                ends = time.monotonic() + seconds
                try:
                    while time.monotonic() < ends and not stop.is_set():
                        conn.sendall(b" ")
                        time.sleep(0.1)
                except OSError:
                    pass  # the client gave up: what we want

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/jobs"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.fixture(scope="module")
async def fast_client(settings):  # noqa: ANN001
    async with app_client(create_app(settings.model_copy(update={"postings": FAST}))) as client:
        yield client


async def _run(api: Api, kind: str, url: str) -> dict:
    made = await api.post(
        "/api/v1/import-sources", json={"kind": kind, "name": f"{kind} {time.monotonic_ns()}", "url": url}
    )
    assert made.status_code == 201, made.text
    return await run_source(api, made.json()["id"])


async def test_a_trickling_feed_fails_at_the_deadline(fast_client, tenant, app):
    api = Api(fast_client, tenant.designer_token)
    with trickling_server() as url:
        started = time.monotonic()
        result = await _run(api, "greenhouse", url)
        took = time.monotonic() - started
    assert result["status"] == "failed" and "timed out" in result["error"], result
    assert took < 8, f"the run took {took:.1f} s for a 2 s deadline"
    assert await org_postings(app, tenant.org_id) == []


@pytest.mark.parametrize("kind", ["greenhouse", "lever", "ashby", "rss", "jsonld", "csv"])
async def test_binary_garbage_in_any_format_fails_the_run_cleanly(fast_client, tenant, app, kind):
    api = Api(fast_client, tenant.designer_token)
    junk = os.urandom(4096).replace(b"\n", b"\xff")
    types = {"rss": "application/rss+xml", "jsonld": "text/html", "csv": "text/csv"}
    with FeedServer() as feeds:
        url = feeds.route("/junk", Reply(body=junk, content_type=types.get(kind, "application/json")))
        result = await _run(api, kind, url)
    assert result["status"] in ("failed", "succeeded"), result
    assert result["new"] == 0
    if result["status"] == "failed":
        assert result["error"]
    assert await org_postings(app, tenant.org_id) == []
