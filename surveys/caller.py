"""What surveys needs from the application, as Protocols: the caller and the NLP runner.

The service injects them by name (`principal`, `nlp`, `db_session`); surveys never imports service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


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


DbSession = NamedDependency[AsyncSession]
CurrentCaller = NamedDependency[Caller]
Nlp = NamedDependency[NlpRunner]
