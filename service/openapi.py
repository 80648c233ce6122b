"""Completes the generated OpenAPI document so that it tells the truth about every operation:
one error body schema, bearer security on non-public operations, and the error codes each one can answer
(401/403 for protected ones, 404 where a path names a record, 400/409/413 for bodies)."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["status_code", "detail"],
    "properties": {
        "status_code": {"type": "integer"},
        "detail": {"type": "string"},
        "extra": {},
    },
}
REASONS = {
    400: "Bad request: the detail says which field",
    401: "Missing or bad credentials",
    403: "Your role does not allow this",
    404: "No such record in your organisation",
    409: "Conflicts with an existing record",
    413: "Request body too large",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def _error_response(code: int) -> dict:
    return {"description": REASONS.get(code, "Error"), "content": {"application/json": {"schema": ERROR_REF}}}


def complete_openapi(app: Litestar, public_paths: list[str]) -> dict:
    document = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {})["BearerToken"] = {"type": "http", "scheme": "bearer"}
    for path, item in document.get("paths", {}).items():
        public = any(re.match(p, path) for p in public_paths)
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in list(responses):
                if str(code)[0] in "45":
                    responses[code] = _error_response(int(code))
            codes = {400, 500}
            if not public:
                codes |= {401, 403}
                operation["security"] = [{"BearerToken": []}]
            if "{" in path:
                codes.add(404)
            if method in {"post", "put", "patch"}:
                codes |= {409, 413}
            for code in codes:
                responses.setdefault(str(code), _error_response(code))
    return document
