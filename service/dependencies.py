"""Dependencies every domain shares through Litestar's injection: the caller, the NLP runner and what surveys
reads of a credential (`provide_credential_source`). The database session's alias is the kernel's
(`kernel.di.DbSession`)."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from service.auth.principal import Principal
from service.credentials.survey_source import CREDENTIALS_FOR_SURVEYS
from service.nlp_runner import NlpRunner
from surveys.caller import CredentialSource

__all__ = [
    "CurrentPrincipal",
    "Nlp",
    "provide_credential_source",
    "provide_nlp",
    "provide_principal",
]


def provide_principal(request: Request) -> Principal:
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("authentication required")
    return user


def provide_nlp(request: Request) -> NlpRunner:
    return request.app.state.nlp


def provide_credential_source() -> CredentialSource:
    """The port surveys reads a credential's name and competencies through (surveys never imports service)."""
    return CREDENTIALS_FOR_SURVEYS


# Handler parameter types: `db_session: DbSession`, `principal: CurrentPrincipal` (scope every query by
# principal.org_id), `nlp: Nlp`. Dependency names must never equal a request body field name: Litestar reports
# a body error on such a field as a dependency failure (500).
CurrentPrincipal = NamedDependency[Principal]
Nlp = NamedDependency[NlpRunner]
