"""Dependency aliases every handler shares (Litestar injects them by parameter name).

`db_session: DbSession` is the request's session (the SQLAlchemy plugin provides it; it commits on 2xx/3xx and
rolls back otherwise). A dependency's name must never equal a request body field's name: Litestar reports a
body error on such a field as a dependency failure (500).
"""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

DbSession = NamedDependency[AsyncSession]
