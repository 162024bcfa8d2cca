"""``dalil case create|list|show``."""

from __future__ import annotations

from typing import Any

import typer

from dalil.cli.context import JsonOption, Table, app_of, console, emit, esc, plain
from dalil.documentation import CaseSummary, create_case, get_case, label, list_cases, summarise

case_app = typer.Typer(help="Cases: investigation workspaces; every record belongs to one.")


@case_app.command("create")
def case_create(
    ctx: typer.Context,
    slug: str = typer.Argument(..., help="Short name: lowercase letters, digits, hyphens."),
    title_en: str | None = typer.Option(None, "--title-en"),
    title_ar: str | None = typer.Option(None, "--title-ar"),
    description: str | None = typer.Option(None),
) -> None:
    """Create a case."""
    app = app_of(ctx)
    with app.write() as session:
        case = create_case(
            session, slug, title_en=title_en, title_ar=title_ar, description=description
        )
        console.print(f"created case [bold]{case.slug}[/bold] ({case.id})")


@case_app.command("list")
def case_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the cases."""
    app = app_of(ctx)
    with app.read() as session:
        rows = [
            {"slug": c.slug, "id": c.id, "title_en": c.title_en, "title_ar": c.title_ar}
            for c in list_cases(session)
        ]

    def render() -> None:
        table = Table(title="Cases", title_justify="left")
        for column in ("slug", "id", "title_en", "title_ar"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(plain(v) for v in row.values()))
        console.print(table)

    emit(as_json, rows, render)


def summary_view(summary: CaseSummary, labels: dict[str, str]) -> dict[str, Any]:
    case = summary.case
    return {
        "slug": case.slug,
        "id": case.id,
        "title_en": case.title_en,
        "title_ar": case.title_ar,
        "description": case.description,
        "records": summary.entities,
        "persons_by_status": summary.persons_by_status,
        "claims": summary.claims,
        "disputed_claims": summary.disputed_claims,
        "incidents": [
            {"id": i.id, "label": labels[i.id], "start_date": str(i.start_date or "")}
            for i in summary.incidents
        ],
    }


def render_summary(view: dict[str, Any]) -> None:
    console.print(f"[bold]{esc(view['title_en'])}[/bold]  {esc(view['title_ar'])}")
    console.print(f"[dim]case {view['slug']} ({view['id']})[/dim]")
    if view["description"]:
        console.print(plain(view["description"]))
    table = Table(show_header=False, box=None)
    table.add_column(style="bold cyan")
    table.add_column()
    for kind, count in sorted(view["records"].items()):
        table.add_row(f"{kind}s", str(count))
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(view["persons_by_status"].items()))
    table.add_row("persons by status", statuses or "—")
    table.add_row("claims", f"{view['claims']} ({view['disputed_claims']} disputed)")
    console.print(table)
    for incident in view["incidents"]:
        console.print(
            f"  • {incident['start_date']}  {incident['label']}  [dim]{incident['id']}[/dim]"
        )


@case_app.command("show")
def case_show(ctx: typer.Context, slug: str, as_json: bool = JsonOption) -> None:
    """Show a case's summary: counts, persons by status, disputed claims, incidents."""
    app = app_of(ctx)
    with app.read() as session:
        summary = summarise(session, get_case(session, slug))
        labels = {i.id: label(session, i, app.lang) for i in summary.incidents}
        view = summary_view(summary, labels)
    emit(as_json, view, lambda: render_summary(view))
