"""`GET /health`: the service and its database."""

from __future__ import annotations

from litestar import Request, Response, get

from service.db import ping


@get("/health", operation_id="health", exclude_from_auth=True, tags=["health"])
async def health(request: Request) -> Response[dict[str, str]]:
    if await ping(request.app.state.engine):
        return Response({"status": "ok", "database": "ok"}, status_code=200)
    return Response({"status": "degraded", "database": "unreachable"}, status_code=503)
