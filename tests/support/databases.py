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
        except (TimeoutError, OSError, asyncpg.PostgresError):
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


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, from the local binaries; run as `nobody` when we are root."""

    def __init__(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError(HOW_TO)
        self.initdb, self.pg_ctl = initdb, pg_ctl
        self.workdir = Path(tempfile.mkdtemp(prefix="skillpulse-pg-"))
        self.datadir = self.workdir / "data"
        with contextlib.closing(socket.socket()) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            pw = pwd.getpwnam("nobody")
            os.chown(self.workdir, pw.pw_uid, pw.pw_gid)
            self.workdir.chmod(0o700)
            self.prefix = ["runuser", "-u", "nobody", "--"]
        subprocess.run(  # noqa: S603 - fixed local binaries
            [*self.prefix, initdb, "-D", str(self.datadir), "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            capture_output=True,
        )

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(  # noqa: S603
            [
                *self.prefix,
                self.pg_ctl,
                "-D",
                str(self.datadir),
                "-o",
                options,
                "-l",
                str(self.workdir / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "immediate") -> None:
        subprocess.run(  # noqa: S603
            [*self.prefix, self.pg_ctl, "-D", str(self.datadir), "-m", mode, "-w", "stop"],
            capture_output=True,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[str]:
    cluster = ThrowawayCluster()
    cluster.start()
    try:
        yield cluster.admin_url
    finally:
        cluster.remove()


def throwaway_available() -> bool:
    return bool(_pg_bin("initdb") and _pg_bin("pg_ctl"))


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
    if (
        os.environ.get("SKILLPULSE_TEST_PG") != "throwaway"
        and _port_open("127.0.0.1", 5432)
        and _answers(local)
    ):
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
