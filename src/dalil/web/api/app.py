"""The FastAPI application: :func:`create_app` over one injected :class:`Database`.

No global state: everything a request needs hangs off ``app.state`` of the app it came to, so
tests (and a server) can run several apps on several databases side by side.
"""

from __future__ import annotations

from fastapi import FastAPI

from dalil.access import AccessSettings
from dalil.db import Database
from dalil.web import session
from dalil.web.api import errors
from dalil.web.api.auth import router as auth_router
from dalil.web.api.claims import router as claims_router
from dalil.web.api.documentation import router as documentation_router
from dalil.web.api.estimates import router as estimates_router
from dalil.web.api.evidence import router as evidence_router
from dalil.web.api.members import router as members_router
from dalil.web.api.records import router as records_router
from dalil.web.api.registry import router as registry_router
from dalil.web.limits import Limits

DESCRIPTION = """\
Dalil's cases over HTTP: records, claims, relations, evidence and estimates, with the same
permission checks as the CLI. Authenticate with `Authorization: Bearer <token>` (one case, one
role) or a browser session (`POST /api/session`; unsafe methods then need `X-CSRF-Token`).
Responses omit whatever the caller's role may not read; records of other cases answer 404,
whether or not they exist. Lists are paginated (`limit`, `offset`); 429 carries `Retry-After`.
"""


def create_app(db: Database, access_settings: AccessSettings | None = None) -> FastAPI:
    app = FastAPI(
        title="Dalil API",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.db = db
    app.state.access_settings = access_settings or AccessSettings()
    app.state.limits = Limits.default()
    errors.install(app)
    session.install(app)
    app.include_router(auth_router)
    app.include_router(documentation_router)
    app.include_router(records_router)
    app.include_router(claims_router)
    app.include_router(evidence_router)
    app.include_router(estimates_router)
    app.include_router(members_router)
    app.include_router(registry_router)
    return app
