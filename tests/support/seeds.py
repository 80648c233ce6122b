"""Records of one organisation, made for the authorisation matrix: one seed per path parameter name.

Each domain registers its seeds in its own module `tests/support/seeds_<domain>.py` as
`SEEDS = {"param_name": async fn(app, tenant) -> id}` and optional `BODIES = {"operationId": {...}}` (a valid body
for a write route, so that the matrix can check that another organisation gets 404 rather than 400);
`all_seeds()` gathers them. A route with a path parameter that no seed knows fails the matrix test.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable

from litestar import Litestar
from sqlalchemy import select

import tests.support as support_pkg
from service.auth.models import ApiToken, User
from service.auth.services import issue_token
from service.db import session_scope
from tests.support.factories import Tenant

Seed = Callable[[Litestar, Tenant], Awaitable[object]]


async def seed_token(app: Litestar, tenant: Tenant) -> int:
    async with session_scope(app.state.engine) as session:
        user = (await session.execute(select(User).where(User.email == tenant.admin_email))).scalar_one()
        issued = await issue_token(session, user, "seeded")
        return issued.record.id


SEEDS: dict[str, Seed] = {"token_id": seed_token}
BODIES: dict[str, dict] = {}


def all_seeds() -> tuple[dict[str, Seed], dict[str, dict]]:
    seeds, bodies = dict(SEEDS), dict(BODIES)
    for info in pkgutil.iter_modules(support_pkg.__path__):
        if info.name.startswith("seeds_"):
            module = importlib.import_module(f"tests.support.{info.name}")
            seeds.update(getattr(module, "SEEDS", {}))
            bodies.update(getattr(module, "BODIES", {}))
    return seeds, bodies


__all__ = ["ApiToken", "Seed", "all_seeds"]
