"""Finding a PostgreSQL server for the suite, and making throwaway databases on it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import asyncpg

HOW_TO = (
    "no PostgreSQL for the test suite: set TEST_DATABASE_URL=postgresql://USER@HOST:PORT/DB, "
    "or run a server on 127.0.0.1:5432 (trust auth for user postgres), "
    "or install the PostgreSQL server binaries (initdb, pg_ctl) so the suite can start a throwaway cluster; "
    "or run the suite on SQLite with --db sqlite"
)


def _run(coro_factory):  # noqa: ANN001, ANN202 - run a coroutine on a private loop in a thread
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro_factory())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _answers(url: str) -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(_plain(url), timeout=3)
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
            return False
        await conn.close()
        return True

    return bool(_run(probe))


def _port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError(HOW_TO)
    workdir = Path(tempfile.mkdtemp(prefix="skillpulse-pg-"))
    datadir = workdir / "data"
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as an unprivileged user
        user = "nobody"
        pw = pwd.getpwnam(user)
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
        workdir.chmod(0o700)
        prefix = ["runuser", "-u", user, "--"]
    subprocess.run(  # noqa: S603 - fixed local binaries
        [*prefix, initdb, "-D", str(datadir), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(  # noqa: S603
        [*prefix, pg_ctl, "-D", str(datadir), "-o", options, "-l", str(workdir / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(datadir), "-m", "immediate", "stop"], capture_output=True)  # noqa: S603
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def find_postgres_server() -> Iterator[str]:
    """Yield an admin URL: TEST_DATABASE_URL, else 127.0.0.1:5432, else a throwaway cluster."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        if not _answers(explicit):
            raise RuntimeError(f"TEST_DATABASE_URL={explicit} does not answer; {HOW_TO}")
        yield _plain(explicit)
        return
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    if os.environ.get("SKILLPULSE_TEST_PG") != "throwaway" and _port_open("127.0.0.1", 5432) and _answers(local):
        yield local
        return
    try:
        cluster = _throwaway_cluster()
        url = cluster.__enter__()
    except (RuntimeError, subprocess.CalledProcessError, KeyError, OSError) as exc:
        raise RuntimeError(f"{HOW_TO} ({exc})") from None
    try:
        yield url
    finally:
        cluster.__exit__(None, None, None)


def _with_db(admin_url: str, name: str) -> str:
    base, _, _ = _plain(admin_url).rpartition("/")
    return f"{base}/{name}"


def create_database(admin_url: str, name: str) -> str:
    async def create() -> None:
        conn = await asyncpg.connect(_plain(admin_url))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    _run(create)
    return _with_db(admin_url, name).replace("postgresql://", "postgresql+asyncpg://")


def drop_database(admin_url: str, name: str) -> None:
    async def drop() -> None:
        conn = await asyncpg.connect(_plain(admin_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    _run(drop)
