"""The FastAPI application: :func:`create_app` over one injected :class:`Database`.

No global state: everything a request needs hangs off ``app.state`` of the app it came to, so
tests (and a server) can run several apps on several databases side by side.
"""

from __future__ import annotations

from fastapi import FastAPI

from dalil.access import AccessSettings
from dalil.db import Database
from dalil.web.api import errors
from dalil.web.api.documentation import router as documentation_router

DESCRIPTION = """\
Read access to Dalil's documentation of cases. Authenticate with `Authorization: Bearer <token>`;
a token is scoped to one case and one role, and responses omit whatever that role may not read.
Records of other cases answer 404, whether or not they exist.
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
    app.state.access_settings = access_settings  # sessions and cookies (next slice)
    errors.install(app)
    app.include_router(documentation_router)
    return app
