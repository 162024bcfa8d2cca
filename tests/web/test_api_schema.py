"""schemathesis against the app's own OpenAPI schema, with a valid viewer token.

Each operation gets a handful of generated requests; none may answer 500, and every answer must
match the documented status codes, content types and response schemas. No response may carry the
confidential canary.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dalil.db import Database
from dalil.web.api import create_app
from web.api_support import CANARY, World, access_settings, headers, world

__all__ = ["access_settings", "world"]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_api_keeps_its_openapi_contract(db: Database, world: World) -> None:
    app = create_app(db)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    token = headers(world.viewer)
    for operation in operations:

        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=token, checks=CHECKS)
            assert CANARY not in response.text

        run()
