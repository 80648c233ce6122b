"""Dependencies every domain shares through Litestar's injection: the caller and the NLP runner."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from service.auth.principal import Principal
from service.nlp_runner import NlpRunner


def provide_principal(request: Request) -> Principal:
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("authentication required")
    return user


def provide_org_id(principal: Principal) -> int:
    """The current organisation: every query a handler makes is scoped by it."""
    return principal.org_id


def provide_nlp(request: Request) -> NlpRunner:
    return request.app.state.nlp
