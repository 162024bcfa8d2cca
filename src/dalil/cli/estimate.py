"""``dalil estimate``: multiple systems estimation (issue 5)."""

from __future__ import annotations

import typer

estimate_app = typer.Typer(help="Estimate how many were killed or disappeared, documented or not.")
