"""Importing from Credential Engine's Credential Registry: fetch a credential (by CTID from the configured
registry's /graph/{ctid}, or from any http(s) URL serving CTDL JSON-LD), then the resources its condition
profiles point at, ONE level deep (competency frameworks as graphs with their competencies, competencies,
required learning opportunities), and read the assembled graph with the CTDL reader. The caller imports the
result like any parsed file (`import_parsed`), so a re-import updates in place and keeps every review.

Every request goes through the import sources' Fetcher (service/postings/fetch.py): its timeouts, retries with
backoff, response size cap and SSRF guard (SKILLPULSE_POSTINGS_*). Nothing is stored here: any failure raises
before the importer is reached. What is fetched and how it is put together: formats/registry_graph.py.
"""

from __future__ import annotations

import json

import anyio.to_thread

from service import netguard
from service.credentials.formats import CredentialFormatError, ParsedCredential
from service.credentials.formats.ctdl_read import read_ctdl
from service.credentials.formats.registry_graph import (
    NotACredential,
    RegistryRequest,
    RegistryRequestError,
    assemble,
    fetch_url,
    graph_url,
    is_known,
    known_ids,
    nodes_of,
    references,
    the_credential,
)
from service.credentials.importing import ImportLimits
from service.postings.fetch import Fetcher, FetchError, PageRequest, private_addresses_allowed
from service.settings import PostingsSettings, Settings

__all__ = [
    "MAX_REFERENCES",
    "REGISTRY_STATUS",
    "NotACredential",
    "RegistryError",
    "RegistryNotFound",
    "RegistryRequestError",
    "RegistryUnavailable",
    "UnusableResource",
    "fetch_credential",
]

MAX_REFERENCES = 100  # resources fetched for one credential; a credential pointing at more is refused
ACCEPT = "application/ld+json, application/json;q=0.9"


class RegistryError(CredentialFormatError):
    """The registry (or the URL) did not give us an importable credential; nothing was stored."""


class RegistryNotFound(RegistryError):
    """The registry has no resource of that CTID, or the URL answers 404 / 410 (HTTP 404)."""


class RegistryUnavailable(RegistryError):
    """A timeout, a 5xx after the retries, a refusal, or an answer that is not JSON-LD (HTTP 502)."""


class UnusableResource(RegistryError):
    """The credential is there but cannot be imported as published: a referenced resource is missing, it
    points at too many, or its CTDL does not read (HTTP 422)."""


REGISTRY_STATUS: dict[type[Exception], int] = {
    RegistryNotFound: 404,
    NotACredential: 422,
    UnusableResource: 422,
    RegistryUnavailable: 502,
}


def fetch_settings(settings: Settings) -> PostingsSettings:
    """The import sources' fetch settings, with no response larger than one credential import may be."""
    cap = min(settings.postings.max_response_bytes, settings.credentials.max_import_bytes)
    return settings.postings.model_copy(update={"max_response_bytes": cap})


async def fetch_credential(
    settings: Settings, request: RegistryRequest, limits: ImportLimits | None = None
) -> list[ParsedCredential]:
    """The credential of `request`, parsed with its frameworks' competencies and ready for `import_parsed`.

    Raises RegistryRequestError (400: not a CTID / URL, or a URL to a non-public address), RegistryNotFound,
    NotACredential / UnusableResource (422), RegistryUnavailable (502); with `limits`, ImportTooLarge (413)
    when the fetched documents together exceed one import and TooManyCompetencies (400)."""
    base = settings.credentials.registry_url
    allow_private = private_addresses_allowed(settings.postings, settings.server.env)
    url = graph_url(base, request.ctid) if request.ctid else fetch_url(request.url or "", base)
    if url is None:
        raise RegistryRequestError(f"url {request.url!r} is not an http(s) URL")
    if request.url and not allow_private:
        await _refuse_non_public(request.url)
    async with Fetcher(fetch_settings(settings), allow_private=allow_private) as fetcher:
        session = _Session(fetcher, limits)
        nodes = await session.nodes(url, _subject(request))
        credential = the_credential(nodes, _subject(request))
        what = _named(credential, request)
        fetched = await _follow(session, credential, nodes, base, what)
    graph = assemble(nodes, fetched)
    try:
        parsed = await anyio.to_thread.run_sync(read_ctdl, graph)
    except CredentialFormatError as exc:
        raise UnusableResource(f"{what} cannot be imported as published: {exc}") from None
    if limits is not None:
        limits.check_competencies(parsed)
    return parsed


async def _follow(
    session: _Session, credential: dict, nodes: list[dict], base: str, what: str
) -> list[list[dict]]:
    """Fetch each reference not already in hand (a framework's graph brings its competencies along)."""
    known = known_ids(nodes)
    wanted = [r for r in references(credential) if not is_known(r, known) and fetch_url(r, base)]
    fetched: list[list[dict]] = []
    count = 0
    for reference in wanted:
        if is_known(reference, known):
            continue  # it came with an earlier graph
        count += 1
        if count > MAX_REFERENCES:
            raise UnusableResource(
                f"{what} points at more than {MAX_REFERENCES} resources; import its frameworks separately"
            )
        target = fetch_url(reference, base) or reference
        more = await session.nodes(target, f"{reference} (which {what} requires)", referenced=True)
        known |= known_ids(more)
        known.add(reference)
        fetched.append(more)
    return fetched


class _Session:
    """One import's fetches: the Fetcher's guards per response, the import's byte limit over all of them."""

    def __init__(self, fetcher: Fetcher, limits: ImportLimits | None) -> None:
        self.fetcher, self.limits, self.total = fetcher, limits, 0

    async def nodes(self, url: str, what: str, *, referenced: bool = False) -> list[dict]:
        try:
            answer = await self.fetcher.get(PageRequest(url, headers={"Accept": ACCEPT}))
        except FetchError as exc:
            raise _fetch_failure(exc, what, referenced) from None
        self.total += len(answer.body)
        if self.limits is not None:
            self.limits.check_size(self.total)
        try:
            document = json.loads(answer.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RegistryUnavailable(
                f"{what}: {url} answered with something that is not JSON ({_first_words(exc)}); "
                "nothing was stored"
            ) from None
        try:
            return nodes_of(document, what)
        except CredentialFormatError as exc:
            raise RegistryUnavailable(f"{exc} ({url} is not CTDL JSON-LD); nothing was stored") from None


def _fetch_failure(exc: FetchError, what: str, referenced: bool) -> RegistryError:
    if exc.status in (404, 410):
        if referenced:
            return UnusableResource(f"{what} is not there: {exc}; nothing was stored")
        if what.startswith("ce-"):
            return RegistryNotFound(f"the Credential Registry has no resource {what} ({exc})")
        return RegistryNotFound(f"there is no resource at {what} ({exc})")
    return RegistryUnavailable(f"could not fetch {what}: {exc}; nothing was stored")


async def _refuse_non_public(url: str) -> None:
    try:
        await netguard.check_url(url)
    except netguard.NonPublicAddressError as exc:
        raise RegistryRequestError(
            f"refusing to fetch {url}: {exc}; set SKILLPULSE_POSTINGS_ALLOW_PRIVATE_ADDRESSES=true to import "
            "from an internal server"
        ) from None


def _subject(request: RegistryRequest) -> str:
    return request.ctid or request.url or ""


def _named(credential: dict, request: RegistryRequest) -> str:
    ctid = credential.get("ceterms:ctid")
    return f"credential {ctid}" if isinstance(ctid, str) else f"the credential at {request.label}"


def _first_words(exc: Exception) -> str:
    return str(exc).split("\n", 1)[0][:120]
