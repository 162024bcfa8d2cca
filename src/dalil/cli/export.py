"""``dalil export``: case files and data exports; each capability adds its own command."""

from __future__ import annotations

import typer

export_app = typer.Typer(help="Export case files (BagIt bundles) and data (FollowTheMoney).")
