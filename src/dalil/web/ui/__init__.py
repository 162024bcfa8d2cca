"""The bilingual (Arabic/English) web interface: server-rendered Jinja2 pages with HTMX."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the interface's routes, templates and static files to ``app`` (filled by issue 7)."""
