"""Every route the app registers, checked for authentication, role and organisation scoping.

The routes are enumerated from the app itself, so a new route is covered the moment it is registered:
- no token and a bad token → 401;
- a viewer writing → 403;
- another organisation's caller on a record of this organisation → 404 (never the record).
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from service.auth.middleware import PUBLIC_PATHS
from tests.support.seeds import all_seeds

SAFE = {"GET", "HEAD", "OPTIONS"}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _operations(app: Litestar) -> list[tuple[str, str, object]]:
    ops = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if any(re.match(p, route.path) for p in PUBLIC_PATHS):
            continue
        for method, (handler, _kwargs_model) in route.route_handler_map.items():
            if method in {"HEAD", "OPTIONS"} or handler.opt.get("exclude_from_auth"):
                continue
            ops.append((method, route.path, handler))
    return ops


def _fill(path: str, values: dict[str, object]) -> str:
    return PARAM.sub(lambda m: str(values.get(m.group(1), 999999)), path)


async def test_there_are_protected_routes(app):
    assert len(_operations(app)) >= 5


async def test_every_protected_route_needs_a_valid_token(app, anon_api, client):
    failures = []
    for method, path, _ in _operations(app):
        url = _fill(path, {})
        missing = await client.request(method, url)
        bad = await client.request(method, url, headers={"Authorization": "Bearer sp_not-a-real-token"})
        for label, response in (("no token", missing), ("bad token", bad)):
            if response.status_code != 401:
                failures.append(f"{method} {path} with {label}: {response.status_code}")
    assert not failures, "\n".join(failures)


async def test_viewer_cannot_write(app, viewer_api):
    failures = []
    for method, path, handler in _operations(app):
        if method in SAFE or handler.opt.get("min_role") == "viewer":
            continue
        response = await viewer_api.request(method, _fill(path, {}), json={})
        if response.status_code != 403:
            failures.append(f"{method} {path} as viewer: {response.status_code}")
    assert not failures, "\n".join(failures)


async def test_other_organisation_gets_404_for_records(app, tenant, other_tenant, client):
    seeds, bodies = all_seeds()
    values: dict[str, object] = {}
    failures = []
    other = {"Authorization": f"Bearer {other_tenant.admin_token}"}
    for method, path, handler in _operations(app):
        names = PARAM.findall(path)
        if not names:
            continue
        for name in names:
            if name not in values:
                if name not in seeds:
                    failures.append(
                        f"{method} {path}: no seed for path parameter {name!r} in tests/support/seeds_*.py"
                    )
                    continue
                values[name] = await seeds[name](app, tenant)
        if any(n not in values for n in names):
            continue
        url = _fill(path, values)
        body = bodies.get(handler.operation_id or "")
        kwargs = (
            {"json": body if body is not None else {}} if method not in SAFE and method != "DELETE" else {}
        )
        response = await client.request(method, url, headers=other, **kwargs)
        # never a 400 as proof of scoping; tests/security/test_write_scoping.py sends every write a valid body
        if response.status_code != 404:
            failures.append(
                f"{method} {path} by another organisation: {response.status_code} {response.text[:200]}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["viewer", "designer"])
async def test_admin_only_routes_refuse_lower_roles(app, tenant, client, role):
    token = tenant.viewer_token if role == "viewer" else tenant.designer_token
    for method, path, handler in _operations(app):
        if handler.opt.get("min_role") != "admin":
            continue
        response = await client.request(method, _fill(path, {}), headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, f"{method} {path} as {role}: {response.status_code}"
