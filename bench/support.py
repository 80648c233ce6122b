"""What the benchmarks share: a free loopback port, a throwaway PostgreSQL database on 127.0.0.1:5432 and a
light keep-alive HTTP/1.1 client for the load generators."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path

import asyncpg
import httpx

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plain(url: str) -> str:
    """An asyncpg URL from a SQLAlchemy one."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_database() -> tuple[str, str]:
    """A new empty database: (its name, its SQLAlchemy URL)."""
    name = f"skillpulse_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class HttpResponse:
    """What the load generator keeps of an answer: its status, headers (lower-case names) and body."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def text(self) -> str:
        body = self.body
        if self.headers.get("content-encoding") == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        return body.decode("utf-8", "replace")


class _Http11(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time; bodies by Content-Length or chunks."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            response = self._parse()
            if response is not None:
                self.waiter.set_result(response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed before the response was complete"))

    def _parse(self) -> HttpResponse | None:
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip()
            if name in headers:  # repeated: Set-Cookie lines one per line, other values comma-joined
                value = headers[name] + ("\n" if name == "set-cookie" else ", ") + value
            headers[name] = value
        start = end + 4
        if status < 200 or status in (204, 304):
            del buffer[:start]
            return HttpResponse(status, headers, b"")
        if "content-length" in headers:
            stop = start + int(headers["content-length"])
            if len(buffer) < stop:
                return None
            body = bytes(buffer[start:stop])
        elif "chunked" in headers.get("transfer-encoding", ""):
            parts, position = [], start
            while True:
                line_end = buffer.find(b"\r\n", position)
                if line_end < 0:
                    return None
                size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
                if size == 0:
                    trailer_end = buffer.find(b"\r\n\r\n", line_end)
                    if trailer_end < 0:
                        return None
                    stop = trailer_end + 4
                    break
                if len(buffer) < line_end + 2 + size + 2:
                    return None
                parts.append(bytes(buffer[line_end + 2 : line_end + 2 + size]))
                position = line_end + 2 + size + 2
            body = b"".join(parts)
        else:
            raise ConnectionError("response without Content-Length or chunked body")
        del buffer[:stop]
        return HttpResponse(status, headers, body)


class HttpClient:
    """A small keep-alive HTTP/1.1 client over TCP for the load generators: far less CPU per request than
    httpx, so that on a 2-core machine the client does not take the server's share.

    One connection, one request at a time (run one client per request in flight). A dropped connection raises
    ConnectionError; the next request opens a new connection.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        extra = {"host": f"{host}:{port}", "user-agent": "skillpulse-bench", **(headers or {})}
        self._headers = "".join(f"{name}: {value}\r\n" for name, value in extra.items())
        self._protocol: _Http11 | None = None

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> HttpResponse:
        protocol = self._protocol
        if protocol is None or protocol.closed:
            loop = asyncio.get_running_loop()
            _, protocol = await loop.create_connection(_Http11, self.host, self.port)
            self._protocol = protocol
        head = f"{method} {target} HTTP/1.1\r\n{self._headers}"
        if headers:
            head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        if body or method not in ("GET", "HEAD"):
            head += f"content-length: {len(body)}\r\n"
        protocol.waiter = asyncio.get_running_loop().create_future()
        protocol.transport.write(head.encode("latin-1") + b"\r\n" + body)  # type: ignore[union-attr]
        try:
            response: HttpResponse = await protocol.waiter
        except BaseException:
            self.close()
            raise
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    """The app under uvicorn on a free loopback port, with `env`: (the process, its base URL)."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own entry point
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "service.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(base: str) -> None:
    """Block until `base`/health answers 200 (two minutes at most)."""
    for _ in range(240):
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} never became healthy")
