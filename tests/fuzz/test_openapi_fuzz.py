"""Schemathesis against the app's own OpenAPI document, in-process and authenticated, positive and negative
data: no operation answers 5xx, and every response has the declared content type and schema.

Bounded for CI by SKILLPULSE_FUZZ_EXAMPLES (default 10 per operation and mode; every operation is fuzzed); a
longer run: `SKILLPULSE_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/fuzz -q`.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app

EXAMPLES = int(os.environ.get("SKILLPULSE_FUZZ_EXAMPLES", "10"))


@pytest.fixture(scope="session")
def fuzz_app(settings):  # noqa: ANN001, ANN201
    app = create_app(settings)
    app.state.nlp.start()  # NLP workers load while other operations are fuzzed, not inside the first extract
    return app


@pytest.fixture(scope="session")
def fuzz_schema(fuzz_app):  # noqa: ANN001, ANN201
    return schemathesis.openapi.from_asgi("/schema/openapi.json", fuzz_app)


@pytest.fixture(scope="module")
async def fuzz_token(app):  # noqa: ANN001, ANN201
    from tests.support.factories import make_tenant

    return (await make_tenant(app)).admin_token


def _fuzz_operation(operation, mode: GenerationMode, token: str) -> None:  # noqa: ANN001
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case) -> None:  # noqa: ANN001
        # the checks are about 5xx and schemas, not latency: a loaded machine can take over schemathesis's
        # default 10 s on an extract while the NLP workers share the cores with everything else
        response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=60)
        case.validate_response(
            response,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_operation_fails_on_any_input(fuzz_schema, fuzz_token, mode):  # noqa: ANN001
    failures = []
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        try:
            _fuzz_operation(operation, mode, fuzz_token)
        except Unsatisfiable:
            continue  # nothing to make invalid (no parameters, no body)
        except Exception as exc:  # noqa: BLE001 - collect every failing operation, then fail once
            inner = "; ".join(f"{type(e).__name__}: {e}" for e in getattr(exc, "exceptions", ()))
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]} {inner[:1500]}")
    assert not failures, "\n\n".join(failures)
