"""The form's usual final submit as a raw ASGI route, ahead of Litestar's request path (PostgreSQL).

Profiled (bench/profile_surveys.py), a submission through Litestar paid for what a bare insert does not: the
middleware stack (exceptions, authentication's path check, compression, CSRF), the request's SQLAlchemy
session with its plugin (a session, its transaction bookkeeping and commit, the before-send hook), dependency
injection and the response's building. This route takes a `POST /s/{token}` whose form says `action=submit`
and does just the work, keeping every guarantee of the handler it stands in front of:

- the per-link and per-address rate limits, counted once: the verdict is left in the scope for the handler
  (`form_pages.RATE_CHECKED`), which answers a limited request with its 429;
- CSRF: the double-submit check of the app's own `CSRFMiddleware` (the cookie and the form field or header);
- stored once: `respond_fast.submit_first_on`, the one guarded statement the handler's fast path runs;
- the form's headers (`form_pages.SECURITY_HEADERS`) and the app's gzip rule on the thank-you page.

Anything else goes on to Litestar with the body it sent replayed: another action, a link with a draft or
already used, a page with errors (its 400 and the errors come from the handler), a failed CSRF check (its
403), a limited request, a body over the limit (413), an unusual content type, a survey whose questions this
process has not read yet, a database error. So each outcome but the usual one stays the handler's.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
from typing import Any

from litestar._parsers import parse_cookie_string, parse_url_encoded_form_data
from litestar.datastructures.multi_dicts import FormMultiDict
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from surveys.form_pages import RATE_CHECKED, SECURITY_HEADERS, limited_at, questions_cache_in, thanks_html
from surveys.i18n import pick_language
from surveys.respond_fast import can_submit_first, read_invitation, submit_first_on
from surveys.respond_link import cached_questions
from surveys.respond_page import posted_page, read_posted
from surveys.tokens import plausible

log = logging.getLogger("skillpulse.surveys.form")

_PATH = re.compile(r"^/s/([^/]+)$")
_FORM_TYPE = b"application/x-www-form-urlencoded"


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    """A receive that gives the messages already read, then the connection's own."""
    pending = list(messages)

    async def replayed() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class SurveySubmitRoute:
    """ASGI middleware: answers the usual final submit itself, hands every other request to `app`."""

    def __init__(self, app: ASGIApp, litestar_app: Any, engine: AsyncEngine, max_body: int) -> None:
        self.app = app
        self.owner = litestar_app
        self.engine = engine
        self.max_body = max_body
        csrf = litestar_app.csrf_config
        self.csrf = CSRFMiddleware(app, csrf) if csrf is not None else None
        compression = litestar_app.compression_config
        self.gzip_from = compression.minimum_size if compression is not None else None
        self.gzip_level = compression.gzip_compress_level if compression is not None else 9
        self.bodies: dict[tuple[str, bool], tuple[bytes, list[tuple[bytes, bytes]]]] = {}
        self.answered = 0  # submits this route stored and answered itself (the rest were the handler's)
        # no more submits at once than the pool keeps connections: past that a submit waits for one rather
        # than opening an overflow connection that is closed again on return (a connect, a backend start and
        # every statement prepared anew, on a server that is already the busy side)
        size = getattr(engine.pool, "size", None)
        self.gate = asyncio.Semaphore(size()) if callable(size) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            _PATH.match(scope["path"]) if scope["type"] == "http" and scope.get("method") == "POST" else None
        )
        if match is None:
            await self.app(scope, receive, send)
            return
        messages: list[ReceiveMessage] = []
        if not await self._answered(scope, receive, send, match.group(1), messages):
            await self.app(scope, _replay(messages, receive) if messages else receive, send)

    async def _answered(
        self, scope: Scope, receive: Receive, send: Send, token: str, messages: list[ReceiveMessage]
    ) -> bool:
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        if not headers.get(b"content-type", b"").startswith(_FORM_TYPE) or not length.isdigit():
            return False
        state = self.owner.state
        client = scope.get("client")
        wait = limited_at(state, token, client[0] if client else "unknown")
        scope[RATE_CHECKED] = wait  # type: ignore[literal-required]
        if wait or int(length) > self.max_body:
            return False
        body = await self._body(receive, messages)
        if body is None:
            return False
        try:
            form = FormMultiDict.from_form_data(dict(parse_url_encoded_form_data(body)))
        except Exception:  # noqa: BLE001 - a body Litestar's parser rejects: the handler answers it
            return False
        if form.get("action") != "submit" or not plausible(token) or not self._csrf_ok(headers, form):
            return False
        language = await self._submit(headers, token, form)
        if language is None:
            return False
        self.answered += 1
        await self._thank(send, language, b"gzip" in headers.get(b"accept-encoding", b""))
        return True

    async def _body(self, receive: Receive, messages: list[ReceiveMessage]) -> bytes | None:
        """The whole request body (None after a disconnect or past the size limit: the handler answers)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                return None
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _csrf_ok(self, headers: dict[bytes, bytes], form: FormMultiDict) -> bool:
        """The app's CSRF double-submit check, as its middleware makes it on the form's POST."""
        if self.csrf is None:
            return True
        config = self.csrf.config
        cookie = parse_cookie_string(headers.get(b"cookie", b"").decode("latin-1")).get(config.cookie_name)
        sent = headers.get(config.header_name.lower().encode("latin-1"), b"").decode("latin-1") or form.get(
            "_csrf_token"
        )
        return isinstance(sent, str) and cookie is not None and self.csrf._csrf_tokens_match(sent, cookie)

    async def _submit(self, headers: dict[bytes, bytes], token: str, form: FormMultiDict) -> str | None:
        """The link's first and final submit stored, in the language of its thank-you page; None when the
        handler must answer (the link is not a pending one without a draft, the page has errors, ...)."""
        if self.gate is None:
            return await self._submit_on_connection(headers, token, form)
        async with self.gate:
            return await self._submit_on_connection(headers, token, form)

    async def _submit_on_connection(
        self, headers: dict[bytes, bytes], token: str, form: FormMultiDict
    ) -> str | None:
        cache = questions_cache_in(self.owner.state)
        try:
            connection = await self.engine.raw_connection()
        except Exception:  # noqa: BLE001 - no connection (pool timeout, server down): the handler answers
            log.debug("raw submit handed to the handler: no connection", exc_info=True)
            return None
        try:
            found = await read_invitation(connection.driver_connection, token)
            if found is None or not can_submit_first(found[0]):
                return None
            link = found[0]
            questions = cached_questions(link.survey, cache)
            if questions is None:  # the handler reads them into the cache
                return None
            link.questions = questions
            requested = form.get("lang")
            language = pick_language(
                requested if isinstance(requested, str) else None,
                link.invitation.language,
                headers.get(b"accept-language", b"").decode("latin-1") or None,
            )
            page = posted_page(link, form)
            _, values, errors = read_posted(link, form, page, language, "submit")
            if errors or not await submit_first_on(
                connection.driver_connection, link, values, page, language
            ):
                return None
            return language
        except Exception:  # noqa: BLE001 - the handler meets the same error and answers it as the app does
            log.debug("raw submit handed to the handler after an error", exc_info=True)
            return None
        finally:
            await greenlet_spawn(connection.close)

    async def _thank(self, send: Send, language: str, gzipped: bool) -> None:
        key = (language, gzipped)
        cached = self.bodies.get(key)
        if cached is None:
            body = thanks_html(self.owner, language).encode()
            extra: list[tuple[bytes, bytes]] = []
            if gzipped and self.gzip_from is not None and len(body) >= self.gzip_from:
                body = gzip.compress(body, compresslevel=self.gzip_level, mtime=0)
                extra = [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            response_headers = [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *extra,
                *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
            ]
            self.bodies[key] = cached = (body, response_headers)
        body, response_headers = cached
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
