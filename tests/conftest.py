"""Test harness: a fresh database per run (PostgreSQL by default, SQLite with `--db sqlite`), migrated with
Alembic, one app per session, and a fresh organisation per test so that tests never see each other's rows.

PostgreSQL is found in this order: TEST_DATABASE_URL; a server answering on 127.0.0.1:5432; a throwaway
cluster started from the local PostgreSQL binaries (initdb/pg_ctl); else the run fails saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from tests.support.clients import app_client, suite_settings
from tests.support.databases import create_database, drop_database, find_postgres_server
from tests.support.factories import Tenant, make_tenant

# cheap argon2 for the users every test makes (service/security.py; never honoured in production); subprocesses
# started with this environment inherit it
os.environ.setdefault("SKILLPULSE_TEST_FAST_HASHING", "1")

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = ROOT / "tests" / "e2e"
# the database-independent tests of the SQLite pass (`--db-independent-part first`): the browser ones and the NLP
# unit tests, which keeps the two passes of scripts/test.sh about as long; every other one is in `second`
FIRST_PART = (BROWSER_TESTS, ROOT / "tests" / "unit" / "nlp")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        action="store",
        default=os.environ.get("SKILLPULSE_TEST_DB", "postgres"),
        choices=("postgres", "sqlite"),
        help="database for the suite: postgres (default) or sqlite",
    )
    parser.addoption(
        "--db-independent",
        action="store_true",
        help="with --db sqlite, also run the tests whose fixtures never reach the suite's database",
    )
    parser.addoption(
        "--db-independent-part",
        choices=("all", "none", "first", "second"),
        default=None,
        help="which of the tests whose fixtures never reach the suite's database to run: all, none, the first "
        "part (tests/e2e and tests/unit/nlp) or the second (every other one) (default: all on PostgreSQL; on "
        "SQLite none, or all with --db-independent). scripts/test.sh runs the second part on PostgreSQL and the "
        "first on SQLite, so each runs once and the two passes take about as long",
    )


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def postgres_server(db_kind: str) -> Iterator[str | None]:
    """An admin URL (postgresql://…/postgres) of a reachable server, or None when running on SQLite."""
    if db_kind != "postgres":
        yield None
        return
    with find_postgres_server() as admin_url:
        yield admin_url


@pytest.fixture(scope="session")
def database_url(
    db_kind: str, postgres_server: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database for this run (dropped afterwards)."""
    from service.db import upgrade

    if db_kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'skillpulse.db'}"
        upgrade(url)
        yield url
        return
    name = f"skillpulse_test_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server, name)
    try:
        upgrade(url)
        yield url
    finally:
        drop_database(postgres_server, name)


@pytest.fixture(scope="session")
def settings(database_url: str):  # noqa: ANN201 - service.settings.Settings
    return suite_settings(database_url)


@pytest.fixture(scope="session")
def app(settings) -> Litestar:  # noqa: ANN001
    from service.app import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client for the app, on the tests' own event loop (lifespan run once per session).

    Litestar's httpx.AsyncClient runs the app on a portal thread with another loop, which breaks sharing the
    app's engine with test code; httpx's ASGI transport keeps one loop.
    """
    async with app_client(app) as test_client:
        yield test_client


@pytest.fixture
async def tenant(app: Litestar) -> Tenant:
    """A fresh organisation with an admin, a designer and a viewer, each with a token."""
    return await make_tenant(app)


@pytest.fixture
async def other_tenant(app: Litestar) -> Tenant:
    return await make_tenant(app)


@dataclass
class Api:
    """An HTTP client bound to a bearer token."""

    client: httpx.AsyncClient
    token: str | None

    def _headers(self, headers: dict | None) -> dict:
        merged = dict(headers or {})
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        return merged

    async def request(self, method: str, url: str, headers: dict | None = None, **kw) -> httpx.Response:  # noqa: ANN003
        return await self.client.request(method, url, headers=self._headers(headers), **kw)

    async def get(self, url: str, **kw) -> httpx.Response:  # noqa: ANN003
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw) -> httpx.Response:  # noqa: ANN003
        return await self.request("POST", url, **kw)

    async def patch(self, url: str, **kw) -> httpx.Response:  # noqa: ANN003
        return await self.request("PATCH", url, **kw)

    async def delete(self, url: str, **kw) -> httpx.Response:  # noqa: ANN003
        return await self.request("DELETE", url, **kw)


@pytest.fixture
def api(client: httpx.AsyncClient, tenant: Tenant) -> Api:
    """The tenant's designer."""
    return Api(client, tenant.designer_token)


@pytest.fixture
def admin_api(client: httpx.AsyncClient, tenant: Tenant) -> Api:
    return Api(client, tenant.admin_token)


@pytest.fixture
def viewer_api(client: httpx.AsyncClient, tenant: Tenant) -> Api:
    return Api(client, tenant.viewer_token)


@pytest.fixture
def other_api(client: httpx.AsyncClient, other_tenant: Tenant) -> Api:
    """A designer of another organisation."""
    return Api(client, other_tenant.designer_token)


@pytest.fixture
def anon_api(client: httpx.AsyncClient) -> Api:
    return Api(client, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite: skip the PostgreSQL-only tests. On either database, leave out (deselect) the tests whose
    fixtures never reach the suite's database (`db_kind`, which `database_url`, `app`, `client`, `tenant`… all
    depend on) that `--db-independent-part` does not ask for. Those run the same whatever `--db` says (the e2e
    demo's own SQLite copy, `serve` on a temporary SQLite file, pure functions), so one pass is enough."""
    db = config.getoption("--db")
    if db == "sqlite":
        skip = pytest.mark.skip(
            reason="needs PostgreSQL (SKIP LOCKED / advisory locks); runs in the PostgreSQL pass"
        )
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)
    part = config.getoption("--db-independent-part") or (
        "all" if db != "sqlite" or config.getoption("--db-independent") else "none"
    )
    if part == "all":
        return
    left_out = [item for item in items if _db_independent(item) and not _in_part(item, part)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        kept = set(map(id, left_out))
        items[:] = [item for item in items if id(item) not in kept]


def _db_independent(item: pytest.Item) -> bool:
    return "db_kind" not in getattr(item, "fixturenames", ())


def _in_part(item: pytest.Item, part: str) -> bool:
    """Whether a database-independent test belongs to `part` (first: under FIRST_PART; second: elsewhere)."""
    path = Path(item.path).resolve()
    first = any(path.is_relative_to(d) for d in FIRST_PART)
    return (part == "first" and first) or (part == "second" and not first)
