"""The whole web application that ``dalil serve`` runs: the REST API under ``/api`` and the
bilingual interface (``dalil.web.ui``) everywhere else, over one injected database."""

from __future__ import annotations

from fastapi import FastAPI

from dalil.access import AccessSettings
from dalil.db import Database
from dalil.web.api.app import create_app


def create_server(db: Database, access_settings: AccessSettings | None = None) -> FastAPI:
    app = create_app(db, access_settings)
    from dalil.web import ui  # the interface registers its routes, static files and templates

    ui.install(app)
    return app
