"""Errors on dashboard pages as pages: a person in a browser gets the reason in words and a way back, a script
(no text/html in Accept) gets the usual JSON `{"status_code", "detail"}`; 401 keeps the sign-in redirect."""

from __future__ import annotations

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template

from service.auth.principal import Principal
from service.dashboard.rendering import page
from service.errors import http_handler, validation_handler
from surveys.store import SurveyError

TITLES = {
    400: "That request was not right",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    503: "Not available now",
}


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def html_error(request: Request, exc: HTTPException) -> Response | Template:
    if exc.status_code == 401 or not _wants_html(request):
        if isinstance(exc, ValidationException):
            return validation_handler(request, exc)
        return http_handler(request, exc)
    user = request.scope.get("user")
    principal = user if isinstance(user, Principal) else None
    detail = (
        exc.detail if exc.status_code < 500 or exc.status_code == 503 else "Something went wrong on our side."
    )
    if isinstance(exc, ValidationException):
        detail = "Some of the values in the address or form are not valid."
    return page(
        "error.html",
        principal,
        title=TITLES.get(exc.status_code, "Error"),
        status_code=exc.status_code,
        detail=detail,
        code=exc.status_code,
    )


def survey_error(request: Request, exc: SurveyError) -> Response | Template:
    """The surveys store's errors (not found, not possible now, invalid) as the same page or JSON."""
    return html_error(request, HTTPException(detail=exc.detail, status_code=exc.status_code))


EXCEPTION_HANDLERS = {HTTPException: html_error, ValidationException: html_error, SurveyError: survey_error}
