"""Dependencies every domain shares through Litestar's injection: the caller and the NLP runner."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.principal import Principal
from service.nlp_runner import NlpRunner


def provide_principal(request: Request) -> Principal:
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("authentication required")
    return user


def provide_nlp(request: Request) -> NlpRunner:
    return request.app.state.nlp


# Handler parameter types: `db_session: DbSession`, `principal: CurrentPrincipal` (scope every query by
# principal.org_id), `nlp: Nlp`. Dependency names must never equal a request body field name: Litestar reports
# a body error on such a field as a dependency failure (500).
DbSession = NamedDependency[AsyncSession]
CurrentPrincipal = NamedDependency[Principal]
Nlp = NamedDependency[NlpRunner]
