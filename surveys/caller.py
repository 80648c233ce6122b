"""What surveys needs from the application, as Protocols (ports): the caller, the NLP runner and a
credential's name and competencies.

The service implements them and injects them by name (`principal`, `nlp`, `credential_source`; `db_session` is
the kernel's `DbSession`); surveys never imports service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.generation import CompetencyRow

T = TypeVar("T")

__all__ = [
    "Caller",
    "CompetencyRow",
    "CredentialSource",
    "CredentialSourceDep",
    "CurrentCaller",
    "Nlp",
    "NlpRunner",
    "SurveyedCredential",
]


@runtime_checkable
class Caller(Protocol):
    """The authenticated user of a request: scope every query by `org_id`."""

    @property
    def org_id(self) -> int: ...

    @property
    def user_id(self) -> int: ...

    @property
    def role(self) -> str: ...


class NlpRunner(Protocol):
    """Runs CPU-bound NLP work off the event loop."""

    async def run(self, fn: Callable[..., T], *args: Any) -> T: ...


@dataclass(frozen=True, slots=True)
class SurveyedCredential:
    """What a survey is generated from: the credential's name and its live competencies, in their order."""

    id: int
    name: str
    competencies: Sequence[CompetencyRow]


@runtime_checkable
class CredentialSource(Protocol):
    """Reads the credentials surveys are about (the service owns those tables)."""

    async def credential_for_survey(
        self, session: AsyncSession, org_id: int, credential_id: int
    ) -> SurveyedCredential | None:
        """The organisation's credential `credential_id` (not deleted), or None."""
        ...


CurrentCaller = NamedDependency[Caller]
Nlp = NamedDependency[NlpRunner]
CredentialSourceDep = NamedDependency[CredentialSource]
