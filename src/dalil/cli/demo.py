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
from dalil.demo.login import DemoLogin, ensure_demo_login


def demo(
    ctx: typer.Context,
    home: Path | None = typer.Option(None, help="Folder to build in (default: DALIL_DEMO_HOME)."),
    database_url: str | None = typer.Option(
        None, help="Build in this database instead of SQLite under the demo home."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="Do not print the case summary."),
    new_password: bool = typer.Option(
        False, "--new-password", help="Give the demo login a new password (and print it)."
    ),
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
        training = build_training(db)
        login = _demo_login(db, demo_home, [result.case_id, training.case_id], new_password)
    finally:
        db.dispose()
    state = "built" if result.created or result.media_items else "already built; nothing changed"
    console.print(f"[bold green]Tadamon demo {state}[/bold green] in {demo_home}")
    _print_login(login, demo_home)
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


def _demo_login(db: Database, home: Path, case_ids: list[str], renew: bool) -> DemoLogin:
    from dalil.access import load_access_settings, load_master_key
    from dalil.errors import ConfigError

    settings = load_access_settings(home)
    try:
        master = load_master_key(settings, home)
    except ConfigError:
        master = None
    return ensure_demo_login(db, settings, master, case_ids, renew=renew)


def _print_login(login: DemoLogin, demo_home: Path) -> None:
    serve = f"dalil serve --home {shlex.quote(str(demo_home))}"
    if login.password is None:
        how = (
            f"log in as [bold]{login.name}[/bold] with the password printed when the demo was "
            "first built (`dalil demo --new-password` makes a new one)"
        )
    else:
        how = (
            f"log in as [bold]{login.name}[/bold] with the password "
            f"[bold]{login.password}[/bold]\n  (made now and shown only this once; "
            "`dalil demo --new-password` makes a new one)"
        )
    console.print(
        f"\n[bold]In a browser:[/bold]\n  {serve}\n  open http://127.0.0.1:8000/ and {how}",
        soft_wrap=True,
    )
    if login.totp_uri:
        console.print(f"  second factor (add to an authenticator app): {login.totp_uri}")
