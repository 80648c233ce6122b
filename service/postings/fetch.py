"""Fetching feeds like a good citizen: a clear User-Agent, connect/read timeouts, a response size cap,
conditional requests (ETag / Last-Modified), and retries with exponential backoff and jitter on timeouts,
dropped connections, 429 and 5xx, honouring the server's Retry-After."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from kernel.clock import utcnow
from service import netguard
from service.netguard import NonPublicAddressError, non_public_reason  # noqa: F401 - re-exported
from service.settings import PostingsSettings

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF = 60.0


class FetchError(RuntimeError):
    """A feed that could not be fetched, with the reason in words (and the HTTP status of a 4xx answer,
    for callers that tell "not there" from "not reachable")."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class PageRequest:
    url: str
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


@dataclass(slots=True)
class _Retry:
    """Why an attempt failed in a way worth another try, and how long the server asked us to wait."""

    problem: str
    wait: float | None = None


@dataclass(slots=True)
class Fetched:
    status: int
    body: bytes
    url: str
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def private_addresses_allowed(settings: PostingsSettings, env: str) -> bool:
    """The setting when given, else allowed outside production."""
    return netguard.private_addresses_allowed(settings.allow_private_addresses, env)


def backoff_delay(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter around it: base·2^attempt·[0.5, 1.5), capped."""
    rng = rng or random
    return min(MAX_BACKOFF, base * (2**attempt) * (0.5 + rng.random()))


class Fetcher:
    """One httpx client per run; `get` returns the body or raises FetchError saying why."""

    def __init__(
        self,
        settings: PostingsSettings,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        user_agent: str | None = None,
        allow_private: bool = True,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        # not allowed: every request and redirect resolves its host, refuses non-public addresses and connects
        # to the address checked (service/netguard.py)
        self._client = netguard.client(
            guard=not allow_private,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={"User-Agent": user_agent or settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=5,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_response_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"response of {int(declared)} bytes is larger than the {cap}-byte limit")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"response is larger than the {cap}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    async def get(
        self, request: PageRequest, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        headers = dict(request.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            outcome = await self._attempt(request, headers, etag, last_modified)
            if isinstance(outcome, Fetched):
                return outcome
            if attempt >= self.settings.retries:
                tries = f"{attempt + 1} attempt" + ("s" if attempt else "")
                raise FetchError(f"{outcome.problem} (gave up after {tries})")
            wait = outcome.wait
            await self._sleep(
                wait if wait is not None else backoff_delay(attempt, self.settings.backoff_seconds)
            )
            attempt += 1

    async def _attempt(
        self, request: PageRequest, headers: dict, etag: str | None, last_modified: str | None
    ) -> Fetched | _Retry:
        """One GET: the answer, a reason to try again (with any Retry-After), or FetchError."""
        try:
            # read_timeout bounds each read; the deadline bounds the whole response (a trickling server)
            async with (
                asyncio.timeout(self.settings.fetch_deadline),
                self._client.stream(
                    "GET", request.url, params=request.params or None, headers=headers
                ) as response,
            ):
                if response.status_code == 304:
                    return Fetched(304, b"", str(response.url), etag=etag, last_modified=last_modified)
                if response.status_code in RETRY_STATUS:
                    problem = f"HTTP {response.status_code} from {request.url}"
                    wait = retry_after_seconds(response.headers.get("retry-after"))
                    if wait is not None and wait > self.settings.max_retry_after:
                        raise FetchError(f"{problem}: asked to retry after {wait:.0f} s, longer than allowed")
                    return _Retry(problem, wait)
                if response.status_code >= 400:
                    raise FetchError(
                        f"HTTP {response.status_code} {response.reason_phrase} from {request.url}",
                        response.status_code,
                    )
                body = await self._read_capped(response)
                return Fetched(
                    response.status_code,
                    body,
                    str(response.url),
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            return _Retry(f"timed out fetching {request.url}")
        except TimeoutError:
            deadline = self.settings.fetch_deadline
            return _Retry(f"timed out fetching {request.url} (no complete answer in {deadline:g} s)")
        except httpx.RemoteProtocolError as exc:
            return _Retry(f"connection broke off fetching {request.url} (truncated response: {exc})")
        except httpx.TransportError as exc:
            return _Retry(f"could not reach {request.url}: {exc or type(exc).__name__}")
        except NonPublicAddressError as exc:
            raise FetchError(
                f"refusing to fetch {request.url}: {exc}; set "
                "SKILLPULSE_POSTINGS_ALLOW_PRIVATE_ADDRESSES=true to import from an internal feed"
            ) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL {request.url!r}: {exc}") from None
