"""The dashboard runs no query of its own: a page calls the domain services the API calls, so the two cannot
disagree (CONTRIBUTING.md, Layout).

Every module under service/dashboard/ is parsed with `ast`. It fails on
- an import from sqlalchemy or sqlmodel of anything but the `AsyncSession` type a page hands on to a service
  (so no select, func, text, insert, update, delete, and_ / or_, col, ...), and on `import sqlalchemy`;
- a call of a session's query or write methods (execute, scalars, scalar, get, exec, add, delete, flush,
  commit, merge, refresh, stream, ...) on anything named like a session (`db_session`, `self.session`);
- a call of a column operator only a query needs (`.in_(`, `.is_(`, `.desc()`, `.label(`, `.where(`, ...).

What stays: passing the session to a service, and two kinds of transaction control that read and write no row
themselves: `rollback()` (a form that failed drops the service's half-done work before the page is rendered
again, so nothing is half stored) and `begin_nested()` (a savepoint around a service call that may fail).
Committing is the SQLAlchemy plugin's (on every 2xx and 3xx, `service/db.py`), never a page's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "service" / "dashboard"

QUERY_LIBRARIES = ("sqlalchemy", "sqlmodel")
ALLOWED_IMPORTS = {("sqlalchemy.ext.asyncio", "AsyncSession")}
SESSION_METHODS = {
    "execute", "scalars", "scalar", "get", "get_one", "exec", "add", "add_all", "delete", "flush", "commit",
    "merge", "refresh", "stream", "stream_scalars", "run_sync", "expunge", "expire", "connection", "begin",
}  # fmt: skip
TRANSACTION_CONTROL = {"rollback", "begin_nested"}  # allowed: see the module docstring
QUERY_OPERATORS = {
    "in_", "not_in", "notin_", "is_", "is_not", "isnot", "desc", "asc", "label", "ilike", "notilike",
    "where", "order_by", "group_by", "select_from", "outerjoin", "subquery", "filter_by", "scalar_subquery",
    "nulls_last", "nulls_first", "distinct", "returning", "on_conflict_do_update", "on_conflict_do_nothing",
}  # fmt: skip


def _is_query_library(module: str) -> bool:
    return any(module == lib or module.startswith(lib + ".") for lib in QUERY_LIBRARIES)


def _names_a_session(node: ast.expr) -> bool:
    """`session`, `db_session`, `self.session`, `request_session`...: a receiver that is a session."""
    if isinstance(node, ast.Name):
        return "session" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "session" in node.attr.lower()
    return False


def offences(source: str, filename: str = "<source>") -> Iterator[tuple[int, str]]:
    """(line, what) for each query construct or session query in a module's source."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_query_library(alias.name):
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module and _is_query_library(node.module):
            for alias in node.names:
                if (node.module, alias.name) not in ALLOWED_IMPORTS:
                    yield node.lineno, f"from {node.module} import {alias.name}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            if method in SESSION_METHODS and _names_a_session(receiver):
                yield node.lineno, f"session.{method}()"
            elif method in QUERY_OPERATORS:
                yield node.lineno, f".{method}() (a query construct)"


def dashboard_modules() -> list[Path]:
    return sorted(
        p for p in DASHBOARD.rglob("*.py") if "static" not in p.parts and "templates" not in p.parts
    )


def test_the_dashboard_has_modules_to_check():
    names = {p.name for p in dashboard_modules()}
    assert {"overview_view.py", "run_status.py", "credential_view.py", "rendering.py"} <= names


@pytest.mark.parametrize("path", dashboard_modules(), ids=lambda p: p.name)
def test_a_dashboard_module_runs_no_query(path: Path):
    found = list(offences(path.read_text(encoding="utf-8"), str(path)))
    where = path.relative_to(ROOT)
    assert not found, (
        f"{where} runs queries of its own; move them behind the domain's services: "
        + ", ".join(f"line {line}: {what}" for line, what in found)
    )


OFFENDING = """
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
import sqlmodel

async def page(db_session: AsyncSession, org_id: int):
    rows = await db_session.execute(select(Alert).where(Alert.org_id == org_id))
    one = await db_session.get(Alert, 1)
    db_session.add(Alert())
    await db_session.flush()
    await db_session.commit()
    n = await self.session.scalar(select(func.count()))
    return Alert.status.in_(("open",)), Alert.updated_at.desc()
"""


def test_the_check_finds_each_kind_of_query_in_a_source():
    found = list(offences(OFFENDING))
    whats = [what for _, what in found]
    assert "from sqlalchemy import func" in whats
    assert "from sqlalchemy import select" in whats
    assert "import sqlmodel" in whats
    assert "from sqlalchemy.ext.asyncio import AsyncSession" not in whats
    for method in ("execute", "get", "add", "flush", "commit", "scalar"):
        assert f"session.{method}()" in whats
    assert ".where() (a query construct)" in whats
    assert ".in_() (a query construct)" in whats
    assert ".desc() (a query construct)" in whats
    assert (7, "session.execute()") in found


def test_the_check_lets_a_page_hand_its_session_to_services():
    clean = """
from sqlalchemy.ext.asyncio import AsyncSession
from service.demand import alert_services

async def page(db_session: AsyncSession, org_id: int, form: dict):
    rows, total = await alert_services.list_alerts(db_session, org_id, filters, 20, 0)
    try:
        async with db_session.begin_nested():
            await alert_services.acknowledge_open(db_session, org_id, [1], None)
    except ValueError:
        await db_session.rollback()
    return form.get("next"), {"a": 1}.get("a"), rows
"""
    assert list(offences(clean)) == []
