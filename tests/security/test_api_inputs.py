"""Hostile JSON and query strings on every API operation, enumerated from the OpenAPI document: extra fields
(mass assignment), oversized and deeply nested bodies, SQL metacharacters in every query filter."""

from __future__ import annotations

import json

import pytest

from tests.security.support import PARAM, json_write_operations, path_values
from tests.support.seeds import all_seeds

EXTRA_FIELDS = {
    "org_id": 1,
    "role": "admin",
    "status": "confirmed",
    "reviewed_by": 1,
    "id": 1,
    "created_at": "2020-01-01T00:00:00Z",
    "is_admin": True,
}
# A foreign document (CTDL JSON-LD, CASE) whose vocabulary is open: the importer reads the properties it knows
# and # takes the organisation from the token, so extra properties there are not an assignment.
DOCUMENT_IMPORTS = {"importCredentials"}
SQL_META = ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE credential; --", '" OR ""="']


async def _url(app, tenant, path: str) -> str:  # noqa: ANN001
    values = await path_values(app, tenant, "unused")
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


async def test_extra_fields_are_refused_on_every_json_write(app, tenant, admin_api, openapi):
    _, bodies = all_seeds()
    operations = json_write_operations(openapi)
    assert len(operations) >= 15
    failures = []
    for method, path, operation, schema in operations:
        if operation["operationId"] in DOCUMENT_IMPORTS:
            continue
        known = set(schema.get("properties", {}))
        extras = {k: v for k, v in EXTRA_FIELDS.items() if k not in known}
        body = dict(bodies.get(operation["operationId"], {}))
        url = await _url(app, tenant, path)
        for name, value in extras.items():
            response = await admin_api.request(method, url, json={**body, name: value})
            if response.status_code != 400 or name not in response.text:
                failures.append(
                    f"{method} {path} with {name!r}: {response.status_code} {response.text[:200]}"
                )
    assert not failures, "\n".join(failures)


async def test_oversized_bodies_get_413_on_every_json_write(app, tenant, admin_api, openapi, settings):
    limit = settings.server.max_body_bytes
    blob = json.dumps({"text": "x" * (limit + 1)})
    failures = []
    for method, path, _, _ in json_write_operations(openapi):
        response = await admin_api.request(
            method, await _url(app, tenant, path), content=blob, headers={"content-type": "application/json"}
        )
        if response.status_code != 413 or "detail" not in response.json():
            failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("depth", [200, 20_000])
async def test_deeply_nested_json_gets_400_on_every_json_write(app, tenant, admin_api, openapi, depth):
    nested = '{"a":' * depth + "1" + "}" * depth
    failures = []
    for method, path, _, _ in json_write_operations(openapi):
        response = await admin_api.request(
            method,
            await _url(app, tenant, path),
            content=nested,
            headers={"content-type": "application/json"},
        )
        if response.status_code != 400 or "detail" not in response.json():
            failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


def _items(payload) -> list | None:  # noqa: ANN001
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        return payload["items"]
    return None


async def test_sql_metacharacters_in_every_query_filter(app, tenant, other_tenant, admin_api, openapi):
    """Another organisation has a record of every kind; this one's filters never reach them, and no filter
    value makes the server fail."""
    seeds, _ = all_seeds()
    for seed in seeds.values():
        await seed(app, other_tenant)
    checked = 0
    failures = []
    for path, item in openapi["paths"].items():
        operation = item.get("get")
        if not operation or not path.startswith("/api/"):
            continue
        filters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        if not filters:
            continue
        url = await _url(app, tenant, path)
        plain = await admin_api.get(url)
        own = (
            _items(plain.json())
            if plain.headers.get("content-type", "").startswith("application/json")
            else None
        )
        for parameter in filters:
            for value in SQL_META:
                checked += 1
                response = await admin_api.get(url, params={parameter["name"]: value})
                if response.status_code >= 500:
                    failures.append(f"GET {path}?{parameter['name']}={value!r}: {response.status_code}")
                    continue
                if other_tenant.admin_email in response.text:
                    failures.append(f"GET {path}?{parameter['name']}={value!r}: another organisation's user")
                if response.status_code == 200 and own is not None:
                    rows = _items(response.json())
                    if rows is not None and len(rows) > len(own):
                        failures.append(
                            f"GET {path}?{parameter['name']}={value!r}: {len(rows)} rows, "
                            f"the organisation has {len(own)}"
                        )
    assert checked >= 30
    assert not failures, "\n".join(failures)
