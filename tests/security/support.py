"""What the security suite shares: the app's routes enumerated from the app and its OpenAPI document, a
signed-in cookie session (as a browser has), and path values seeded in the caller's organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator

from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.support.factories import Tenant
from tests.support.form_browser import FormBrowser as Browser  # noqa: F401 - used by the suites
from tests.support.seeds import all_seeds

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
# Links sent by mail that a stranger opens without signing in, each with its own token in the path: the survey
# form, and an alert digest's unsubscribe page. The latter takes a one-click POST (RFC 8058) with no cookie
# and no CSRF token: its signed token is the permission (tests/integration/test_alert_digests.py).
TOKEN_LINKS = ("/s/", "/app/notifications/unsubscribe/")
ONE_CLICK_LINKS = ("/app/notifications/unsubscribe/",)


def token_link(path: str) -> bool:
    return path.startswith(TOKEN_LINKS)


def routes(app: Litestar) -> Iterator[tuple[str, str, object]]:
    """(method, path template, handler) of every HTTP route but HEAD/OPTIONS."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method not in {"HEAD", "OPTIONS"}:
                yield method, route.path, handler


def html_routes(app: Litestar, method: str) -> list[str]:
    """Paths of the dashboard and the survey form (all but the API, health, schema and static files)."""
    skip = ("/api/", "/health", "/schema", "/static/")
    return sorted({path for m, path, _ in routes(app) if m == method and not path.startswith(skip)})


def fill(path: str, values: dict[str, object]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


async def path_values(app: Litestar, tenant: Tenant, token: str) -> dict[str, object]:
    """A record of `tenant` for every path parameter the app has; `token` is a survey link's token."""
    seeds, _ = all_seeds()
    values: dict[str, object] = {"token": token}
    for name, seed in seeds.items():
        values[name] = await seed(app, tenant)
    return values


def json_write_operations(schema: dict) -> list[tuple[str, str, dict, dict]]:
    """(method, path, operation, resolved request-body schema) of every operation with a JSON body."""
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if body:
                found.append((method.upper(), path, operation, resolve(schema, body["schema"])))
    return found


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node
