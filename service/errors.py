"""Every error leaves as JSON `{"status_code", "detail"}`; no traceback ever reaches a client."""

from __future__ import annotations

import html
import logging
import uuid

from advanced_alchemy.exceptions import NotFoundError
from asyncpg import CannotConnectNowError, PostgresConnectionError, TooManyConnectionsError
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger("skillpulse.errors")


def _json(status: int, detail: str, extra: object = None, headers: dict | None = None) -> Response:
    body: dict = {"status_code": status, "detail": detail}
    if extra:
        body["extra"] = extra
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def _field_name(item: dict) -> str:
    key = item.get("key") or ""
    return str(key) if key else "body"


def validation_handler(request: Request, exc: ValidationException) -> Response:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if extra:
        parts = [f"{_field_name(e)}: {e.get('message', 'invalid')}" for e in extra if isinstance(e, dict)]
        detail = "Invalid input: " + "; ".join(parts[:10])
    else:
        detail = exc.detail or "Invalid input"
    return _json(400, detail, extra)


def http_handler(request: Request, exc: HTTPException) -> Response:
    if exc.status_code >= 500 and exc.status_code not in (502, 503):  # 502: ours, an upstream failed
        return internal_handler(request, exc)  # a 5xx raised by a library may carry its internals in `detail`
    if (
        isinstance(exc, NotAuthorizedException)
        and request.scope["path"].startswith("/app")
        and ("text/html" in request.headers.get("accept", ""))
    ):
        return Redirect(f"/app/login?next={request.scope['path']}")
    headers = getattr(exc, "headers", None)
    return _json(
        exc.status_code, exc.detail, exc.extra if isinstance(exc.extra, list | dict) else None, headers
    )


def not_found_handler(request: Request, exc: NotFoundError) -> Response:
    return _json(404, str(exc.detail) if getattr(exc, "detail", None) else "Not found")


def integrity_handler(request: Request, exc: IntegrityError) -> Response:
    log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
    return _json(HTTP_409_CONFLICT, "The request conflicts with an existing record")


def data_error_handler(request: Request, exc: DataError) -> Response:
    log.info("data error on %s %s: %s", request.method, request.url.path, exc.orig)
    return _json(400, "A value is out of range or malformed for storage")


def dbapi_handler(request: Request, exc: DBAPIError) -> Response:
    """asyncpg refuses some values before the query runs (an id beyond int32, say) and SQLAlchemy wraps that as a
    plain DBAPIError rather than DataError: the caller's value, so 400. Anything else is a bug (500)."""
    cause: BaseException | None = exc.orig
    for _ in range(5):  # the driver's error, then what it wraps
        if cause is None:
            break
        if isinstance(cause, OverflowError) or any(
            cls.__name__ == "DataError" for cls in type(cause).__mro__
        ):
            return data_error_handler(request, exc)  # type: ignore[arg-type]
        cause = cause.__cause__
    return internal_handler(request, exc)


def overflow_handler(request: Request, exc: OverflowError) -> Response:
    """SQLite's driver raises a bare OverflowError for an integer beyond 64 bits (an id in a path, say)."""
    return _json(400, "A number is out of range")


def recursion_handler(request: Request, exc: RecursionError) -> Response:
    return _json(400, "Request body is nested too deeply")


def database_unavailable_handler(request: Request, exc: Exception) -> Response:
    """The database is down, restarting or out of connection slots: the server's condition, not a bug (503)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
    return _json(503, "The database is unavailable or busy; try again shortly", headers={"Retry-After": "5"})


GENERIC_500 = "Internal Server Error"
ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title></head>
<body><main><h1>Something went wrong on our side</h1>
<p>The error has been logged. If it keeps happening, give your administrator this reference:
<code>{ref}</code>.</p>
<p><a href="/app/">Back to the overview</a></p></main></body></html>
"""


def internal_handler(request: Request, exc: Exception) -> Response:
    """A bug: the client learns nothing of it but a reference; the log has the traceback under the same id."""
    request_id = uuid.uuid4().hex
    log.error(
        "unhandled error [request %s] on %s %s", request_id, request.method, request.url.path, exc_info=exc
    )
    headers = {"X-Request-ID": request_id}
    if request.scope["path"].startswith("/app") and "text/html" in request.headers.get("accept", ""):
        return Response(
            ERROR_PAGE.format(ref=html.escape(request_id)),
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
            media_type=MediaType.HTML,
            headers=headers,
        )
    return _json(HTTP_500_INTERNAL_SERVER_ERROR, GENERIC_500, headers=headers)


exception_handlers = {
    ValidationException: validation_handler,
    HTTPException: http_handler,
    NotFoundError: not_found_handler,
    IntegrityError: integrity_handler,
    DataError: data_error_handler,
    DBAPIError: dbapi_handler,
    RecursionError: recursion_handler,
    OverflowError: overflow_handler,
    ConnectionError: database_unavailable_handler,  # connection refused / reset while connecting
    PostgresConnectionError: database_unavailable_handler,
    CannotConnectNowError: database_unavailable_handler,
    TooManyConnectionsError: database_unavailable_handler,
    OperationalError: database_unavailable_handler,
    InterfaceError: database_unavailable_handler,
    PoolTimeoutError: database_unavailable_handler,
    Exception: internal_handler,
}
