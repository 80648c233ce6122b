"""Every write route on another organisation's record, with a valid body: 404 or 403, never the record, and
never a 400 taken as proof of scoping.

For each write route with a path parameter (enumerated from the app: a new route is covered at once), a fresh
organisation gets its own records (tests/support/seeds_*.py); another organisation's admin sends the request
with a valid body (JSON from the seeds' BODIES and tests/security/matrix_bodies.py, forms through a signed-in
browser with its CSRF token) and must get 404/403; then the owner sends the same request and must be accepted
(below 400), which proves the body was valid, so the refusal came from scoping and not from validation.
"""

from __future__ import annotations

import inspect

import httpx
from litestar import Litestar

from tests.conftest import Api
from tests.security.matrix_bodies import BEFORE, FORM_BODIES, JSON_BODIES
from tests.security.support import PARAM, Browser, fill, routes, token_link
from tests.support.factories import Tenant, make_tenant
from tests.support.seeds import all_seeds

SAFE = {"GET", "HEAD", "OPTIONS"}
REFUSED = {403, 404}


def _write_routes(app: Litestar) -> list[tuple[str, str, object]]:
    return sorted(
        (m, p, h) for m, p, h in routes(app) if m not in SAFE and PARAM.search(p) and not token_link(p)
    )


def _takes_json(openapi: dict, method: str, path: str) -> bool:
    template = PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
    operation = openapi["paths"].get(template, {}).get(method.lower())
    return bool(((operation or {}).get("requestBody") or {}).get("content", {}).get("application/json"))


async def _body(body, app: Litestar, tenant: Tenant, values: dict) -> dict:  # noqa: ANN001
    return await body(app, tenant, values) if inspect.iscoroutinefunction(body) else body


async def _seeded(app: Litestar, tenant: Tenant, path: str) -> dict:
    seeds, _ = all_seeds()
    return {name: await seeds[name](app, tenant) for name in PARAM.findall(path)}


async def test_every_write_route_is_known_to_the_matrix(app, openapi):
    _, bodies = all_seeds()
    unknown = []
    for method, path, handler in _write_routes(app):
        if path.startswith("/app/"):
            if path not in FORM_BODIES:
                unknown.append(f"{method} {path}: no form body in tests/security/matrix_bodies.py")
        elif _takes_json(openapi, method, path) and handler.operation_id not in {**bodies, **JSON_BODIES}:
            unknown.append(f"{method} {path} ({handler.operation_id}): no seeded body")
    assert len(_write_routes(app)) >= 30
    assert not unknown, "\n".join(unknown)


async def _signed_in(app: Litestar, tenant: Tenant) -> tuple[httpx.AsyncClient, Browser]:
    own = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
    )
    browser = Browser(own)
    await browser.sign_in(tenant)
    return own, browser


async def test_every_write_route_refuses_another_organisations_record(app, client, other_tenant, openapi):
    _, bodies = all_seeds()
    bodies = {**bodies, **JSON_BODIES}
    stranger = Api(client, other_tenant.admin_token)
    stranger_client, stranger_browser = await _signed_in(app, other_tenant)
    failures = []
    checked = 0
    for method, path, handler in _write_routes(app):
        owner = await make_tenant(app)
        values = await _seeded(app, owner, path)
        url = fill(path, values)
        if path in BEFORE:
            await BEFORE[path](Api(client, owner.admin_token), values)
        if path.startswith("/app/"):
            if path not in FORM_BODIES:
                continue  # reported by the test above
            form = FORM_BODIES[path]
            await stranger_browser.get("/app/")  # a fresh CSRF token, as a page visit gives
            refused = await stranger_browser.post(url, form)
            owner_client, owner_browser = await _signed_in(app, owner)
            accepted = await owner_browser.post(url, form)
            await owner_client.aclose()
        else:
            kwargs = {}
            if _takes_json(openapi, method, path):
                if handler.operation_id not in bodies:
                    continue  # reported by the test above
                kwargs["json"] = await _body(bodies[handler.operation_id], app, owner, values)
            refused = await stranger.request(method, url, **kwargs)
            accepted = await Api(client, owner.admin_token).request(method, url, **kwargs)
        checked += 1
        if refused.status_code not in REFUSED:
            failures.append(
                f"{method} {path} by another organisation: {refused.status_code} {refused.text[:160]}"
            )
        if accepted.status_code >= 400:
            failures.append(
                f"{method} {path} by its owner with the same body: {accepted.status_code} "
                f"{accepted.text[:160]} (the body is not valid, so the refusal above proves nothing)"
            )
    await stranger_client.aclose()
    assert checked >= 30
    assert not failures, "\n".join(failures)
