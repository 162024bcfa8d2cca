"""``dalil units``, ``dalil command``, ``dalil xref`` and ``dalil export ftm`` (issue 8)."""

from __future__ import annotations

import typer

units_app = typer.Typer(help="Units: hierarchy, postings and positions over time.")
command_app = typer.Typer(help="Chains of command on a date, for a unit or an incident.")
xref_app = typer.Typer(help="Cross-reference a case's perpetrators with outside lists.")
