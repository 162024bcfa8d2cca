"""``dalil registry list|show|counts|export``: the registry's persons, read-only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from dalil.cli.context import (
    CaseOption,
    JsonOption,
    Table,
    app_of,
    console,
    emit,
    errors,
    esc,
    plain,
)
from dalil.cli.registry import link_app, lists_app, registry_app  # noqa: F401

SHOWN = ("given", "father", "family", "sex", "birth_date", "status", "status_date", "governorate")


def _value(fields: dict[str, Any], name: str) -> str:
    entry = fields.get(name)
    return "" if entry is None else str(entry["value"])


def _name(fields: dict[str, Any]) -> str:
    parts = [_value(fields, f) for f in ("given", "father", "grandfather", "family")]
    return " ".join(p for p in parts if p) or _value(fields, "full_name")


@registry_app.command("list")
def registry_list(
    ctx: typer.Context,
    q: str | None = typer.Option(
        None, "--q", "-q", help="Only persons with a name containing this."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    offset: int = typer.Option(0, "--offset", min=0),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """The registry's persons: the best value of each field, from their list records."""
    from dalil.registry.views import registry_persons

    app = app_of(ctx)
    with app.read() as session:
        chosen = app.case(session, case)
        data = registry_persons(session, chosen.id, q=q, limit=limit, offset=offset)

    def render() -> None:
        if not data:
            console.print("No registry persons" + (" match" if q else " yet: run `dalil link run`"))
            return
        table = Table(title="Registry", title_justify="left")
        table.add_column("ID")
        table.add_column("Name")
        for column in ("Sex", "Born", "Status", "Date", "Governorate", "Records"):
            table.add_column(column)
        for p in data:
            f = p["fields"]
            table.add_row(
                p["id"],
                plain(_name(f)),
                plain(_value(f, "sex")),
                plain(_value(f, "birth_date")),
                plain(_value(f, "status")),
                plain(_value(f, "status_date") or _value(f, "death_date")),
                plain(_value(f, "governorate")),
                f"{len(p['records'])} on {len(p['lists'])} list(s)",
            )
        console.print(table)

    emit(as_json, data, render)


@registry_app.command("show")
def registry_show(
    ctx: typer.Context,
    person_id: str = typer.Argument(..., help="The registry person's ID (vic_…)."),
    as_json: bool = JsonOption,
) -> None:
    """One registry person: best values, which records give them, and each record as written."""
    from dalil.registry.views import registry_person

    app = app_of(ctx)
    with app.read() as session:
        data = registry_person(session, person_id)

    def render() -> None:
        if data["status"] != "active":
            console.print(
                f"[bold]{data['id']}[/bold] was retired by link run {data['retired_run_id']}."
            )
            for r in data["redirects"]:
                console.print(f"  now [bold]{r['id']}[/bold] ({esc(r['reason'])})")
            if not data["redirects"]:
                console.print("  [yellow]it leads to no active person[/yellow]")
            return
        console.print(f"[bold]{data['id']}[/bold]  {esc(_name(data['fields']))}")
        table = Table(title="Best values", title_justify="left")
        table.add_column("Field", style="bold cyan")
        table.add_column("Value")
        table.add_column("From records")
        table.add_column("Other values")
        for name, entry in data["fields"].items():
            table.add_row(
                name,
                plain(entry["value"]),
                "\n".join(entry["records"]),
                plain(", ".join(entry["other_values"])),
            )
        console.print(table)
        records = Table(title="List records", title_justify="left", show_lines=True)
        records.add_column("Record")
        records.add_column("As written")
        for r in data["record_details"]:
            raw = "\n".join(f"{k}: {v}" for k, v in r["raw"].items() if v)
            records.add_row(
                f"{r['id']}\n[dim]{r['source_id']} row {r['row_number']}[/dim]", plain(raw)
            )
        console.print(records)
        if data["redirected_from"]:
            console.print(f"[dim]formerly: {', '.join(data['redirected_from'])}[/dim]")

    emit(as_json, data, render)


@registry_app.command("counts")
def registry_counts_command(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """Registry persons counted by list, status, governorate and year."""
    from dalil.registry.views import registry_counts

    app = app_of(ctx)
    with app.read() as session:
        data = registry_counts(session, app.case(session, case).id)

    def render() -> None:
        console.print(
            f"[bold]{data['persons']:,}[/bold] persons from {data['records']:,} list records"
        )
        lists = Table(title="By list", title_justify="left")
        lists.add_column("List")
        lists.add_column("Persons", justify="right")
        for entry in data["by_list"]:
            lists.add_row(
                f"{esc(entry['title'])} [dim]{entry['source_id']}[/dim]", f"{entry['persons']:,}"
            )
        console.print(lists)
        for key, title in (
            ("by_status", "Status"),
            ("by_governorate", "Governorate"),
            ("by_year", "Year"),
        ):
            table = Table(title=f"By {title.lower()}", title_justify="left")
            table.add_column(title)
            table.add_column("Persons", justify="right")
            for value, count in data[key].items():
                table.add_row(plain(value), f"{count:,}")
            console.print(table)

    emit(as_json, data, render)


@registry_app.command("export")
def registry_export(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write here (default: stdout)."),
    captures: bool = typer.Option(
        False, "--captures", help="The capture-history table (person × list, 0/1) instead."
    ),
    case: str | None = CaseOption,
) -> None:
    """Export the registry as CSV: one row per person (best values, lists, records)."""
    from dalil.registry.views import export_captures_csv, export_csv

    app = app_of(ctx)
    writer = export_captures_csv if captures else export_csv
    with app.read() as session:
        case_id = app.case(session, case).id
        if out is None:
            count = writer(session, case_id, sys.stdout)
        else:  # written beside, then renamed: a failed export leaves no half file
            part = out.with_name(f".{out.name}.part")
            try:
                with part.open("w", encoding="utf-8", newline="") as stream:
                    count = writer(session, case_id, stream)
                part.replace(out)
            finally:
                part.unlink(missing_ok=True)
    if out is not None:
        errors.print(f"{count:,} persons written to {esc(out)}")
