"""The bilingual (Arabic/English) web interface: server-rendered Jinja2 pages with HTMX.

Pages live in ``pages/`` (one module and one ``router`` per area), templates in ``templates/``,
vendored CSS, HTMX and fonts in ``static/`` (no CDN), catalogues in ``locale/``. Every page asks
:mod:`dalil.access` what the user may see and leaves the rest out of the HTML. See ``docs/web.md``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install(app: FastAPI) -> None:
    """Add the interface's routes, static files and HTML error pages to ``app``.

    ``app`` is the API app (:func:`dalil.web.api.create_app`), which already installs the CSRF
    cookie middleware of :mod:`dalil.web.session` that the forms here rely on.
    """
    from dalil.web.ui import errors
    from dalil.web.ui.pages import (
        admin,
        auth,
        dashboard,
        estimates,
        evidence,
        linkage,
        list_remap,
        lists,
        records,
        review,
        search,
        sources,
    )

    static = Path(str(files("dalil.web.ui").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")
    pages = (auth, dashboard, records, sources, search, admin, evidence, lists, list_remap,
             linkage, review, estimates)  # fmt: skip
    for module in pages:
        app.include_router(module.router)
    errors.install(app)
