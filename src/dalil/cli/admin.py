"""``dalil init|config|history|set|delete|restore|purge``: the database and any record's life."""

from __future__ import annotations

import json

import typer

from dalil.cli.context import JsonOption, Table, app_of, console, emit, esc, parse_pairs, plain
from dalil.config import describe_settings
from dalil.db import Entity, head_revision, upgrade
from dalil.documentation import (
    change_view,
    get_entity,
    history_of,
    label,
    purge,
    restore,
    soft_delete,
    update,
)


def init(ctx: typer.Context) -> None:
    """Create the database, or migrate it to this version of Dalil."""
    app = app_of(ctx)
    db = app.database(check=False)
    before, after = upgrade(db)
    where = app.settings.masked()["database_url"]
    if before == after:
        console.print(f"database at {where} is up to date (schema {after})")
    else:
        console.print(f"database at {where}: schema {before or 'none'} → {after}")


def config(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show the effective settings (secrets masked) and where each comes from."""
    app = app_of(ctx)
    shown = app.settings.masked()
    helps = dict(describe_settings())

    def render() -> None:
        table = Table(title="Dalil settings", title_justify="left")
        table.add_column("variable", style="bold cyan")
        table.add_column("value")
        table.add_column("meaning", style="dim")
        for name, value in shown.items():
            variable = f"DALIL_{name.upper()}"
            table.add_row(variable, plain(value), plain(helps[variable]))
        console.print(table)
        console.print(f"[dim]schema expected by this version: {head_revision()}[/dim]")

    emit(as_json, shown, render)


def history(ctx: typer.Context, record: str, as_json: bool = JsonOption) -> None:
    """Every change to a record: who, when, what before and after."""
    app = app_of(ctx)
    with app.read() as session:
        rows = [change_view(c) for c in history_of(session, record)]

    def render() -> None:
        table = Table(title=f"History of {esc(record)}", title_justify="left", show_lines=True)
        for column in ("when (UTC)", "who", "action", "record", "before", "after"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["at"][:19].replace("T", " "),
                plain(row["actor"]),
                plain(row["action"] + (f"\n{row['reason']}" if row["reason"] else "")),
                f"{row['table']}\n[dim]{row['row_id']}[/dim]",
                plain(_short(row["before"])),
                plain(_short(row["after"])),
            )
        console.print(table)

    emit(as_json, rows, render)


def _short(values: dict[str, object] | None) -> str:
    if not values:
        return ""
    return "\n".join(
        f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items() if v is not None
    )


def set_fields(
    ctx: typer.Context,
    record: str,
    pairs: list[str] = typer.Argument(..., metavar="FIELD=VALUE..."),
) -> None:
    """Change fields of a record, e.g. `dalil set per_… status=killed status_date=2013-04-16`."""
    app = app_of(ctx)
    with app.write() as session:
        entity = update(session, get_entity(session, record, Entity), parse_pairs(pairs, "field"))
        console.print(f"updated {entity.kind} {entity.id}: {esc(label(session, entity, app.lang))}")


def delete(ctx: typer.Context, record: str) -> None:
    """Mark a record deleted (it stays in the database and its history; `restore` undoes it)."""
    app = app_of(ctx)
    with app.write() as session:
        entity = soft_delete(session, get_entity(session, record, Entity))
        console.print(
            f"deleted {entity.kind} {entity.id} (restore with `dalil restore {entity.id}`)"
        )


def restore_cmd(ctx: typer.Context, record: str) -> None:
    """Bring back a deleted record."""
    app = app_of(ctx)
    with app.write() as session:
        entity = restore(session, get_entity(session, record, Entity, include_deleted=True))
        console.print(f"restored {entity.kind} {entity.id}")


def purge_cmd(
    ctx: typer.Context,
    record: str,
    reason: str = typer.Option(..., help="Why it must be removed for good (kept in history)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove a deleted record for good, with its names, claims and relations. Audited."""
    app = app_of(ctx)
    if not yes:
        typer.confirm(f"Purge {record} and everything attached to it for good?", abort=True)
    with app.write() as session:
        removed = purge(session, get_entity(session, record, Entity, include_deleted=True), reason)
        console.print(f"purged {len(removed)} record(s): {', '.join(removed)}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("config")(config)
    app.command("history")(history)
    app.command("set")(set_fields)
    app.command("delete")(delete)
    app.command("restore")(restore_cmd)
    app.command("purge")(purge_cmd)
