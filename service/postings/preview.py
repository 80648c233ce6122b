"""Testing a feed: fetch a source's feed once, through the same fetcher (SSRF guard, size cap, timeouts) and
parsers as an import, and say which postings it would import, storing nothing. The API's
`POST /api/v1/import-sources/preview` and the dashboard's source forms both call `preview_feed`."""

from __future__ import annotations

from service.postings.fetch import Fetcher, FetchError, private_addresses_allowed
from service.postings.imports import fetch_all
from service.postings.models import ImportSource
from service.postings.parsers import FeedError
from service.postings.records import RecordError, normalise, with_defaults
from service.postings.schemas import ImportSourcePreview, ImportSourcePreviewRead, PreviewPostingRead
from service.postings.sources import validate
from service.settings import Settings

EXCERPT_CHARS = 280
ERRORS_SHOWN = 5


class PreviewFailed(RuntimeError):
    """The feed could not be fetched or read (the reason in words); nothing was stored either way."""


async def preview_feed(settings: Settings, data: ImportSourcePreview) -> ImportSourcePreviewRead:
    """The first page of the feed as postings. Raises SourceInvalid (bad settings) or PreviewFailed."""
    url, occupation = validate(data.kind, data.url, data.board, "0 3 * * *", data.occupation, data.config)
    source = ImportSource(  # never added to a session: a description of the feed, not a row
        org_id=0,
        kind=data.kind,
        name="preview",
        url=url,
        board=data.board,
        config={**data.config, "max_pages": 1},
        region=data.region,
        occupation=occupation,
    )
    once = settings.postings.model_copy(update={"retries": 0})  # fetched once: a person is waiting
    user_agent = str(data.config["email"]) if data.kind == "usajobs" and data.config.get("email") else None
    allow_private = private_addresses_allowed(settings.postings, settings.server.env)
    try:
        async with Fetcher(once, user_agent=user_agent, allow_private=allow_private) as fetcher:
            records, failed, errors, _first = await fetch_all(source, settings, fetcher)
    except (FetchError, FeedError) as exc:
        raise PreviewFailed(str(exc)) from None
    postings: list[PreviewPostingRead] = []
    for record in records:
        try:
            posting = normalise(with_defaults(record, region=data.region, occupation=occupation))
        except RecordError as exc:
            failed += 1
            errors.append(str(exc))
            continue
        if len(postings) < data.limit:
            postings.append(
                PreviewPostingRead(
                    external_id=posting.external_id,
                    title=posting.title,
                    employer=posting.employer,
                    region=posting.region,
                    occupation=posting.occupation,
                    posted_at=posting.posted_at,
                    url=posting.url,
                    excerpt=_excerpt(posting.text),
                )
            )
    return ImportSourcePreviewRead(
        url=url,
        found=len(records),
        failed=failed,
        errors=errors[:ERRORS_SHOWN],
        postings=postings,
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
