"""The demo for the browser tests, built once per run and copied for each module.

Building the demo (what `skillpulse serve --demo` loads: credentials linked, a year of postings extracted, a
survey answered, monthly drift runs) is the slow part of these tests. It is built once per pytest run into a
SQLite file with the same code as `serve --demo`; every module that asks for `demo` gets its own copy of that
file (SQLite's backup API: a consistent copy, WAL included) and its own server on it, so what one module's
tests change (acknowledged alerts, notes, new surveys, users) never reaches another module. Modules whose tests
only read the demo (test_profile_gap, test_report) share one copy and server instead: `read_only_demo`.
`tests/e2e/test_dashboard_demo.py` still runs `serve --demo` itself: there the command is what is tested.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from service.db import upgrade
from service.settings import build_settings

# One definition of the browser and the live server for every module here, so a run launches one chromium and
# one server on the suite's database (a session fixture imported into each module is one per module instead).
from tests.support.browser import browser, live_server, run_server  # noqa: F401 - fixtures

TEST_SERVER = {"env": "test", "secret_key": "test-secret-key-0123456789"}


@dataclass(frozen=True)
class BuiltDemo:
    path: Path
    survey_link: str | None


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL too), whatever connections the source had."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
async def built_demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    """The demo, loaded once per run into a SQLite file that no test opens (modules get copies)."""
    from demo.load import build_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    url = _sqlite_url(path)
    await asyncio.to_thread(upgrade, url)  # alembic runs its own event loop
    settings = build_settings(database={"url": url}, server=TEST_SERVER)
    result = await build_demo(settings, Console(quiet=True), "http://127.0.0.1")
    assert result.created  # how long it takes is for serve --demo to print ("ready in N s"), not for a test
    return BuiltDemo(path, result.survey_link)


async def _serve_copy(built_demo: BuiltDemo, folder: Path) -> AsyncIterator[dict]:
    path = folder / "demo.db"
    await asyncio.to_thread(copy_sqlite, built_demo.path, path)
    url = _sqlite_url(path)
    settings = build_settings(database={"url": url}, server=TEST_SERVER)
    with run_server(url) as base_url:
        yield {"url": base_url, "database": url, "settings": settings, "survey_link": built_demo.survey_link}


@pytest.fixture(scope="module")
async def demo(built_demo: BuiltDemo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict]:
    """This module's own copy of the demo database, plus a served app on it."""
    async for served in _serve_copy(built_demo, tmp_path_factory.mktemp("demo")):
        yield served


@pytest.fixture(scope="package")  # its server goes when the browser tests end
async def read_only_demo(
    built_demo: BuiltDemo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict]:
    """One copy and server for the modules whose tests only read the demo (they sign in and look): what they
    share nobody changes, and a server (its NLP pool) is the slow part of a module's setup."""
    async for served in _serve_copy(built_demo, tmp_path_factory.mktemp("demo-read-only")):
        yield served
