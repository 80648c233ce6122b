"""The access log of a real uvicorn server running the app: a request whose line carries a secret (a survey
link's token in the path, ?token= in the query) keeps its line, redacted, and logging raises nothing."""

from __future__ import annotations

import asyncio
import io
import logging
import socket

import httpx

from service.app import create_app

TOKEN = "Abcdefghijklmnopqrstuvwxyz012345"
LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error")


async def test_access_lines_with_secrets_are_kept_redacted_without_logging_errors(settings, capsys):
    import uvicorn

    saved = {
        name: (lg.handlers[:], lg.filters[:], lg.level, lg.propagate)
        for name, lg in ((n, logging.getLogger(n)) for n in LOGGERS)
    }
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    stream = io.StringIO()
    try:
        config = uvicorn.Config(create_app(settings), log_level="info", access_log=True, lifespan="on")
        server = uvicorn.Server(config)  # Config set up uvicorn logging; the app start-up adds the filter
        for handler in logging.getLogger("uvicorn.access").handlers:
            handler.setStream(stream)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        for _ in range(400):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        assert server.started
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            link = await http.get(f"/s/{TOKEN}")
            health = await http.get("/health?token=hunter2-not-for-logs")
        server.should_exit = True
        await asyncio.wait_for(task, 30)
    finally:
        sock.close()
        for name, (handlers, filters, level, propagate) in saved.items():
            lg = logging.getLogger(name)
            lg.handlers, lg.filters, lg.propagate = handlers, filters, propagate
            lg.setLevel(level)
    lines = [line for line in stream.getvalue().splitlines() if '"GET ' in line]
    assert len(lines) == 2, stream.getvalue()
    assert f'"GET /s/[redacted] HTTP/1.1" {link.status_code}' in lines[0]
    assert f'"GET /health?token=[redacted] HTTP/1.1" {health.status_code}' in lines[1]
    assert TOKEN not in stream.getvalue() and "hunter2" not in stream.getvalue()
    assert "Logging error" not in capsys.readouterr().err
