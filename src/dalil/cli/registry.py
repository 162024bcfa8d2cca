"""``dalil lists``, ``dalil link`` and ``dalil registry``: the victim registry (issue 4)."""

from __future__ import annotations

import typer

lists_app = typer.Typer(no_args_is_help=True, help="Import victim and missing lists.")
link_app = typer.Typer(no_args_is_help=True, help="Link list records into persons; review pairs.")
registry_app = typer.Typer(no_args_is_help=True, help="The registry: persons and their records.")
