"""schemathesis against the app's own OpenAPI schema: every operation, a viewer and an owner.

Each operation gets a handful of generated requests (writes included: the owner's may change the
database); none may answer 500, and every answer must match the documented status codes, content
types and response schemas. No viewer response may carry the confidential canary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dalil.config import load_settings
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
EXAMPLES = 4


def _fuzz(operation: Any, token: str, may_see_canary: bool) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers(token), checks=CHECKS)
        assert may_see_canary or CANARY not in response.text

    run()


def test_the_api_keeps_its_openapi_contract(db: Database, world: World, tmp_path: Path) -> None:
    app = create_app(db)
    app.state.settings = load_settings(home=tmp_path / "home")
    app.state.upload_max_bytes = 4096
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert len(operations) >= 40
    assert {"/api/cases/{slug}/evidence", "/api/estimates/{id}", "/api/claims/{id}"} <= paths
    # Viewer first (reads must not leak), then the owner (writes may change what follows).
    for token, may_see_canary in ((world.viewer, False), (world.owner, True)):
        for operation in operations:
            if operation.path == "/api/session" and operation.method.upper() == "POST":
                continue  # login: covered in test_api_session (Argon2 per example is slow)
            _fuzz(operation, token, may_see_canary)
