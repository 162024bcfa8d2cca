"""``dalil lists``: propose a column mapping, import a list, and read what was imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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
from dalil.errors import InvalidInput

mapping_app = typer.Typer(no_args_is_help=True, help="Column mappings: list column → field.")
lists_app.add_typer(mapping_app, name="mapping")

SheetOption = typer.Option(None, "--sheet", help="XLSX: the sheet to read (default: the first).")
EncodingOption = typer.Option(
    None, "--encoding", help="CSV: force an encoding (default: detected; utf-8, utf-16, cp1256)."
)


@mapping_app.command("suggest")
def mapping_suggest(
    file: Path = typer.Argument(..., help="The list (CSV or XLSX)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Save the mapping here (YAML)."),
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    as_json: bool = JsonOption,
) -> None:
    """Propose a mapping from the list's headers (Arabic or English); check it, then import."""
    from dalil.registry.mapping import save_mapping, suggest_mapping
    from dalil.registry.reading import read_list

    listed = read_list(file, sheet=sheet, encoding=encoding)
    suggestion = suggest_mapping(listed.headers)
    if out is not None:
        save_mapping(suggestion.mapping, out)
    data = {
        "file": str(file),
        "encoding": listed.encoding,
        "sheet": listed.sheet,
        "columns": [
            {"column": c.column, "field": c.field, "confidence": c.confidence, "reason": c.reason}
            for c in suggestion.columns
        ],
        "mapping": suggestion.mapping.model_dump(),
        "saved_to": str(out) if out else None,
    }

    def render() -> None:
        table = Table(title=f"Suggested mapping for {esc(file.name)}", title_justify="left")
        table.add_column("Column")
        table.add_column("Field", style="bold")
        table.add_column("Confidence", justify="right")
        table.add_column("Why")
        for c in suggestion.columns:
            style = "green" if c.confidence >= 0.95 else "yellow" if c.confidence else "dim"
            table.add_row(
                plain(c.column),
                plain(c.field or "—"),
                f"[{style}]{c.confidence:.2f}[/{style}]",
                plain(c.reason),
            )
        console.print(table)
        for notice in listed.notices:
            console.print(f"[yellow]note:[/yellow] {esc(notice)}")
        if out is not None:
            console.print(f"Saved to {esc(out)}: check it, then `dalil lists import {esc(file)} "
                          f"--case C --source S --mapping {esc(out)}`")  # fmt: skip
        else:
            console.print("[dim]--out M.yaml saves it for `dalil lists import`[/dim]")

    emit(as_json, data, render)


@lists_app.command("import")
def lists_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The list (CSV or XLSX)."),
    source: str = typer.Option(
        ...,
        "--source",
        "-s",
        help="The list's Source ID (src_…), or a name: a Source of type list is found or made.",
    ),
    mapping_file: Path = typer.Option(..., "--mapping", "-m", help="Column mapping (YAML)."),
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    policy: str = typer.Option(
        "all-or-nothing",
        "--policy",
        help="all-or-nothing: import only if no row is rejected; good-rows: import the good "
        "rows and record the rejected ones.",
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write every rejected row (row, field, why) to this CSV."
    ),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Import a list: every row kept verbatim as a list record, cleaned values beside it."""
    from dalil.registry.importing import POLICIES, ImportRejected, import_list
    from dalil.registry.mapping import load_mapping

    if policy not in POLICIES:
        raise typer.BadParameter(
            f"{policy!r}: choose {' or '.join(POLICIES)}", param_hint="--policy"
        )
    mapping = load_mapping(mapping_file)
    app = app_of(ctx)
    try:
        out = report.open("w", encoding="utf-8", newline="") if report is not None else None
    except OSError as exc:
        raise InvalidInput("--report", f"{report} cannot be written: {exc.strerror}") from None
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
        ) as bar:
            task = bar.add_task(f"importing {file.name[:40]}", total=None)

            def progress(rows: int) -> None:
                bar.update(task, description=f"importing {file.name[:40]}: {rows:,} rows read")

            with app.write() as session:
                chosen = app.case(session, case)
                result = import_list(
                    session, chosen, file, source=source, mapping=mapping, sheet=sheet,
                    encoding=encoding, policy=policy, report=out,
                    progress=progress,
                )  # fmt: skip
    except ImportRejected as rejected:
        _print_rejections(rejected.result.rejections, rejected.result.rejected_rows, report)
        raise
    finally:
        if out is not None:
            out.close()
    data = result.as_dict()

    def render() -> None:
        console.print(
            f"Imported [bold]{result.imported:,}[/bold] of {result.rows:,} rows from "
            f"{esc(file.name)} as list {result.source_id} (import [bold]{result.import_id}[/bold])"
        )
        for notice in result.notices:
            console.print(f"[dim]{esc(notice)}[/dim]")
        if result.warnings:
            console.print(
                f"[yellow]{result.warnings:,} rows imported with a warning[/yellow] "
                f"(`dalil lists records {result.import_id}` shows them)"
            )
        if result.rejected_rows:
            _print_rejections(result.rejections, result.rejected_rows, report)

    emit(as_json, data, render)


def _print_rejections(rejections: list[Any], count: int, report: Path | None) -> None:
    table = Table(title=f"{count:,} rejected rows", title_justify="left", title_style="bold red")
    table.add_column("Row", justify="right")
    table.add_column("Field")
    table.add_column("Why")
    for r in rejections:
        table.add_row(str(r.row), plain(r.field or "(row)"), plain(r.message))
    errors.print(table)
    if len(rejections) < count:
        errors.print(f"[dim]… the first {len(rejections)} shown[/dim]")
    if report is not None:
        errors.print(f"Every rejected row is in {esc(report)}")
    elif len(rejections) < count:
        errors.print("[dim]--report FILE.csv saves them all[/dim]")


@lists_app.command("remap")
def lists_remap(
    ctx: typer.Context,
    import_id: str = typer.Argument(..., help="The import's ID (lim_…)."),
    mapping_file: Path = typer.Option(
        ..., "--mapping", "-m", help="The corrected column mapping (YAML)."
    ),
    reason: str = typer.Option(
        ..., "--reason", help="Why the mapping changes (kept with the import)."
    ),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Derive an import's records again from their rows as written, with a corrected mapping.

    The rows as written never change; if the new mapping would reject a row, nothing changes.
    The next `dalil link run` links the case again from scratch."""
    from dalil.registry.mapping import load_mapping
    from dalil.registry.remapping import RemapRejected, remap_import

    mapping = load_mapping(mapping_file)
    app = app_of(ctx)
    try:
        with app.write() as session:
            result = remap_import(session, app.case(session, case), import_id, mapping, reason)
    except RemapRejected as rejected:
        _print_rejections(rejected.result.rejections, rejected.rejected, None)
        raise

    def render() -> None:
        console.print(
            f"Remapped import [bold]{result.import_id}[/bold]: {result.records:,} records, "
            f"[bold]{result.changed:,}[/bold] with values that changed"
        )
        if result.warnings:
            console.print(
                f"[yellow]{result.warnings:,} records with a warning[/yellow] "
                f"(`dalil lists records {result.import_id}` shows them)"
            )
        console.print("Next: `dalil link run` links the case again from scratch")

    emit(as_json, result.as_dict(), render)


@lists_app.command("list")
def lists_list(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """The lists imported into a case."""
    from dalil.registry.records import imports_of

    app = app_of(ctx)
    with app.read() as session:
        data = imports_of(session, app.case(session, case))

    def render() -> None:
        if not data:
            console.print("No list imported yet: `dalil lists import FILE --source S --mapping M`")
            return
        table = Table(title="Imported lists", title_justify="left")
        for column in ("Import", "List", "File", "Rows", "Imported", "Rejected", "When"):
            table.add_column(
                column, justify="right" if column in ("Rows", "Imported", "Rejected") else "left"
            )
        for i in data:
            table.add_row(
                i["id"],
                f"{esc(i['source']['title'])}\n[dim]{i['source']['id']}[/dim]",
                plain(i["file_name"]),
                f"{i['rows']:,}",
                f"{i['imported']:,}",
                f"{i['rejected']:,}",
                i["created_at"][:16].replace("T", " "),
            )
        console.print(table)

    emit(as_json, data, render)


@lists_app.command("show")
def lists_show(
    ctx: typer.Context,
    import_id: str = typer.Argument(..., help="The import's ID (lim_…)."),
    as_json: bool = JsonOption,
) -> None:
    """One import: its file, counts, mapping and rejected rows."""
    from dalil.registry.records import get_import, import_view

    app = app_of(ctx)
    with app.read() as session:
        data = import_view(session, get_import(session, import_id))

    def render() -> None:
        console.print(
            f"[bold]{data['id']}[/bold]  {esc(data['source']['title'])} ({data['source']['id']})"
        )
        console.print(
            f"file {esc(data['file_name'])}, {data['file_bytes']:,} bytes, "
            f"sha256 {data['file_sha256']}"
            + (f", {data['encoding']}" if data["encoding"] else "")
            + (f", sheet {esc(data['sheet'])}" if data["sheet"] else "")
        )
        console.print(
            f"rows {data['rows']:,}: imported {data['imported']:,}, rejected {data['rejected']:,}; "
            f"{data['records_with_problems']:,} records with warnings"
        )
        console.print(f"imported {data['created_at'][:19]} by {esc(data['actor'])}")
        table = Table(title="Mapping", title_justify="left")
        table.add_column("Column")
        table.add_column("Field", style="bold")
        for column, field in data["mapping"]["columns"].items():
            table.add_row(plain(column), plain(field))
        console.print(table)
        for remap in data["remaps"]:
            console.print(
                f"[dim]remapped {remap['at'][:19]} by {esc(remap['actor'])}: "
                f"{esc(remap['reason'])}[/dim]"
            )
        if data["rejected_rows"]:
            rejected = Table(title="Rejected rows", title_justify="left", title_style="bold red")
            rejected.add_column("Row", justify="right")
            rejected.add_column("Field")
            rejected.add_column("Why")
            for r in data["rejected_rows"]:
                rejected.add_row(str(r["row"]), plain(r["field"] or "(row)"), plain(r["message"]))
            console.print(rejected)

    emit(as_json, data, render)


@lists_app.command("records")
def lists_records(
    ctx: typer.Context,
    import_id: str = typer.Argument(..., help="The import's ID (lim_…)."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = JsonOption,
) -> None:
    """An import's records: each row as written, and the values derived from it."""
    from dalil.registry.records import get_import, records_of

    app = app_of(ctx)
    with app.read() as session:
        data = records_of(session, get_import(session, import_id), limit=limit, offset=offset)

    def render() -> None:
        table = Table(title=f"Records of {import_id}", title_justify="left", show_lines=True)
        table.add_column("Row", justify="right")
        table.add_column("As written")
        table.add_column("Derived")
        table.add_column("Problems")
        for r in data:
            raw = "\n".join(f"{k}: {v}" for k, v in r["raw"].items() if v)
            derived = "\n".join(f"{k}: {v}" for k, v in r["derived"].items() if v not in (None, ""))
            problems = "\n".join(p["message"] for p in r["problems"])
            table.add_row(
                f"{r['row_number']}\n[dim]{r['id']}[/dim]",
                plain(raw),
                plain(derived),
                plain(problems),
            )
        console.print(table)

    emit(as_json, data, render)
