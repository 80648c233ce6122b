"""An app served by a real uvicorn on 127.0.0.1 inside the test's event loop (real sockets, real concurrency,
no subprocess to load the NLP models), and a log of the SQL writes an engine sends."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from litestar import Litestar
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextlib.asynccontextmanager
async def serve_on_loopback(app: Litestar) -> AsyncIterator[str]:
    """Serve `app` (its lifespan included) on a free loopback port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False, backlog=512)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(60):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped it
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        sock.close()


WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


class WriteLog:
    """Every INSERT / UPDATE / DELETE the engine sends, as (verb, table), recorded before it runs."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def _seen(self, conn, cursor, statement: str, *args: object) -> None:  # noqa: ANN001 - SQLAlchemy hook
        found = WRITE.match(statement)
        if found:
            self.writes.append((found.group(1).split()[0].upper(), found.group(2).lower()))

    def to(self, *tables: str) -> list[tuple[str, str]]:
        return [w for w in self.writes if w[1] in tables]

    async def wait_for(self, count: int, *tables: str, within: float = 10.0) -> bool:
        """True once `count` writes to `tables` were sent; False after `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(self.to(*tables)) < count:
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True


@contextlib.contextmanager
def write_log(engine: AsyncEngine) -> Iterator[WriteLog]:
    log = WriteLog()
    event.listen(engine.sync_engine, "before_cursor_execute", log._seen)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", log._seen)
