"""Rich renderings of the documentation views (dictionaries from ``documentation.views``)."""

from __future__ import annotations

from typing import Any

from rich.panel import Panel

from dalil.cli.context import Table, console, esc, plain

STATUS_STYLE = {"accepted": "green", "disputed": "bold red", "unverified": "yellow"}


def _source_line(source: dict[str, Any]) -> str:
    bits = [source["publisher"] or source["author"], source["published"]]
    where = ", ".join(b for b in bits if b)
    text = source["title"] + (f" ({where})" if where else "")
    return f"{esc(text)}\n[dim]{source['id']}[/dim]"


def claims_table(groups: list[dict[str, Any]], title: str = "Claims") -> Table | None:
    if not groups:
        return None
    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    table.add_column("Property")
    table.add_column("Value", style="bold")
    table.add_column("Status")
    table.add_column("Source")
    table.add_column("Where / note")
    for group in groups:
        name = esc(group["label"])
        name += "\n[bold red]⚠ in dispute[/bold red]" if group["in_dispute"] else ""
        for i, claim in enumerate(group["claims"]):
            style = STATUS_STYLE.get(claim["status"], "")
            where = " · ".join(x for x in (claim["locator"], claim["note"]) if x)
            table.add_row(
                name if i == 0 else "",
                plain(claim["shown"]),
                f"[{style}]{esc(claim['status_label'])}[/{style}]",
                _source_line(claim["source"]),
                esc(where) + f"\n[dim]{claim['id']}[/dim]",
            )
    return table


def relations_table(relations: list[dict[str, Any]]) -> Table | None:
    if not relations:
        return None
    table = Table(title="Relations", title_justify="left", expand=True)
    table.add_column("Relation")
    table.add_column("With")
    table.add_column("Dates")
    table.add_column("Details")
    for rel in relations:
        dates = " – ".join(d or "…" for d in (rel["start_date"], rel["end_date"]))
        details = ", ".join(f"{k}: {v}" for k, v in rel["attributes"].items())
        if rel["claims"]:
            details += f"{'; ' if details else ''}{rel['claims']} claim group(s)"
        table.add_row(
            plain(rel["label"]),
            f"{esc(rel['other']['label'])}\n[dim]{rel['other']['id']}[/dim]",
            plain(dates if rel["start_date"] or rel["end_date"] else ""),
            esc(details) + f"\n[dim]{rel['id']}[/dim]",
        )
    return table


def fields_table(fields: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold cyan")
    table.add_column()
    for key, value in fields.items():
        if value in (None, [], {}, ""):
            continue
        if key == "names":
            value = "\n".join(
                f"{n['full']}  ({n['kind']}, {n['script']}"
                + (f", mother: {n['mother']}" if n["mother"] else "")
                + ")"
                for n in value
            )
        elif key == "violation_types":
            value = ", ".join(v["label"] for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        table.add_row(key.replace("_", " "), plain(value))
    return table


def show_entity(view: dict[str, Any]) -> None:
    deleted = " [bold red](deleted)[/bold red]" if view["deleted"] else ""
    header = f"[bold]{esc(view['label'])}[/bold]{deleted}\n"
    header += f"[dim]{view['kind']} {view['id']} · case "
    header += f"{view['case']} · {view['sensitivity']}[/dim]"
    console.print(Panel(fields_table(view["fields"]), title=header, title_align="left"))
    for table in (claims_table(view["claims"]), relations_table(view["relations"])):
        if table is not None:
            console.print(table)
