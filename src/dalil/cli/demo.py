"""``dalil demo``: build the Tadamon demo case in its own home and show it."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from dalil.cli.cases import case_show
from dalil.cli.context import App, app_of, console
from dalil.config import load_settings
from dalil.db import Database, upgrade
from dalil.demo import build, build_training


def demo(
    ctx: typer.Context,
    home: Path | None = typer.Option(None, help="Folder to build in (default: DALIL_DEMO_HOME)."),
    database_url: str | None = typer.Option(
        None, help="Build in this database instead of SQLite under the demo home."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="Do not print the case summary."),
) -> None:
    """Build the Tadamon demo case (idempotent) and show its summary."""
    app = app_of(ctx)
    demo_home = (home or app.settings.demo_home).expanduser().resolve()
    overrides: dict[str, object] = {"home": demo_home, "database_url": database_url}
    settings = load_settings(**overrides)
    db = Database(settings.database)
    try:
        upgrade(db)
        result = build(db, demo_home)
        build_training(db)
    finally:
        db.dispose()
    state = "built" if result.created or result.media_items else "already built; nothing changed"
    console.print(f"[bold green]Tadamon demo {state}[/bold green] in {demo_home}")
    if quiet:
        return
    demo_app = App(settings=settings, lang=app.lang)
    ctx.find_root().obj = demo_app
    try:
        case_show(ctx, "tadamon", as_json=False)
    finally:
        ctx.find_root().obj = app
        demo_app.close()
    env = f"export DALIL_HOME={shlex.quote(str(demo_home))}"
    if database_url:
        env = "export DALIL_DATABASE_URL=…  # the URL you passed"
    console.print(
        "\n[bold]Explore it with the CLI:[/bold]\n"
        f"  {env}\n"
        "  export DALIL_CASE=tadamon                      # the demo home holds two cases\n"
        f"  dalil incident show {result.incident_id}     # 41 and 288, side by side\n"
        "  dalil person search 'احمد المثال'              # finds أحمد (Arabic normalised)\n"
        "  dalil org list --case tadamon\n"
        "  dalil evidence list                            # synthetic media, through the locker\n"
        "  dalil evidence similar <clip id>               # finds the video it was cut from\n"
        "  dalil evidence verify --all\n"
        f"  dalil history {result.incident_id}\n"
        "  dalil --lang ar case show tadamon\n"
        "  dalil command chain <unit> --on 2013-04-16 --case training-fictional   # FICTIONAL case",
        soft_wrap=True,
    )
