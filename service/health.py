"""`GET /health`: the service and its database. `GET /health/ready`: ready for work, the NLP pool included."""

from __future__ import annotations

from litestar import Request, Response, get

from service.db import ping


@get("/health", operation_id="health", exclude_from_auth=True, tags=["health"])
async def health(request: Request) -> Response[dict[str, str]]:
    if await ping(request.app.state.engine):
        return Response({"status": "ok", "database": "ok"}, status_code=200)
    return Response({"status": "degraded", "database": "unreachable"}, status_code=503)


# Not in the OpenAPI document: a probe for orchestrators whose 503 while the model loads is its answer, not a
# server error (the README documents it).
@get("/health/ready", operation_id="healthReady", exclude_from_auth=True, include_in_schema=False)
async def ready(request: Request) -> Response[dict[str, str]]:
    """200 once the database answers and every NLP process has loaded the model and data (what extraction,
    linking and the credential page's standard profile need); 503 with what is still loading before that.
    Starts the NLP pool if nothing has yet (it starts on first use under SKILLPULSE_ENV=test)."""
    runner = request.app.state.nlp
    runner.start()
    database = await ping(request.app.state.engine)
    nlp = runner.ready()
    body = {
        "status": "ready" if database and nlp else "starting",
        "database": "ok" if database else "unreachable",
        "nlp": "ready" if nlp else "loading",
    }
    return Response(body, status_code=200 if database and nlp else 503)
