"""``dalil units``, ``dalil command``, ``dalil xref`` and ``dalil export ftm`` (issue 8).

Engines are imported inside the commands: ``dalil --help`` must not load networkx or
followthemoney. Stored text is printed through ``esc``/``plain``, never as Rich markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.tree import Tree

from dalil.cli.context import CaseOption, JsonOption, Table, app_of, console, emit, esc, plain
from dalil.cli.export import export_app
from dalil.db import Incident, Organisation
from dalil.documentation import get_entity

units_app = typer.Typer(help="Units: hierarchy, postings and positions over time.")
command_app = typer.Typer(help="Chains of command on a date, for a unit or an incident.")
xref_app = typer.Typer(help="Cross-reference a case's perpetrators with outside lists.")

STYLE = {"accepted": "green", "unverified": "yellow", "disputed": "bold red", "unsourced": "red"}
FirstCited = typer.Option(False, "--first-cited", help="START is only the first date cited.")
LastCited = typer.Option(False, "--last-cited", help="END is only the last date cited.")
Sensitivity = typer.Option(None, help="public, restricted (default) or confidential.")


def _status(status: str) -> str:
    return f"[{STYLE.get(status, '')}]{status}[/]"


def _kinds(first: bool, last: bool) -> dict[str, str]:
    return {
        "start_kind": "first_cited" if first else "start",
        "end_kind": "last_cited" if last else "end",
    }


def _post_line(post: dict[str, Any]) -> str:
    extra = ", ".join(x for x in (post.get("rank"), post.get("title")) if x)
    text = f"{post['subject']['label']}" + (f" ({extra})" if extra else "")
    sources = len(post["sources"])
    return f"{esc(text)} · {esc(post['dates'])} · {_status(post['status'])} · {sources} src"


@units_app.command("add")
def units_add(
    ctx: typer.Context,
    unit_type: str = typer.Option(..., "--unit-type", help="branch, division, brigade, militia…"),
    org_type: str = typer.Option("armed_forces_unit", "--org-type", help="Organisation type."),
    name_en: str | None = typer.Option(None, "--name-en"),
    name_ar: str | None = typer.Option(None, "--name-ar"),
    abbreviation: str | None = typer.Option(None),
    sensitivity: str | None = Sensitivity,
    case: str | None = CaseOption,
) -> None:
    """Add a unit (an organisation with a unit type)."""
    from dalil.accountability import add_unit

    app = app_of(ctx)
    values = {"org_type": org_type, "name_en": name_en, "name_ar": name_ar}
    values |= {"abbreviation": abbreviation, "sensitivity": sensitivity}
    with app.write() as session:
        org = add_unit(session, app.case(session, case), values, unit_type)
        console.print(f"added unit [bold]{org.id}[/bold]: {esc(org.name_en or org.name_ar)}")


@units_app.command("set-type")
def units_set_type(
    ctx: typer.Context, organisation: str, unit_type: str, case: str | None = CaseOption
) -> None:
    """Mark an existing organisation as a unit of UNIT_TYPE."""
    from dalil.accountability import set_unit_type

    app = app_of(ctx)
    with app.write() as session:
        detail = set_unit_type(session, app.case(session, case), organisation, unit_type)
        console.print(f"{detail.organisation_id} is a unit of type {detail.unit_type}")


@units_app.command("relate")
def units_relate(
    ctx: typer.Context,
    unit: str = typer.Argument(..., help="The child unit, or the unit taking part."),
    other: str = typer.Argument(..., help="The parent unit, or the joint operation."),
    member: bool = typer.Option(False, "--member", help="Joint operation, not hierarchy."),
    start: str | None = typer.Option(None),
    end: str | None = typer.Option(None),
    first_cited: bool = FirstCited,
    last_cited: bool = LastCited,
    sensitivity: str | None = Sensitivity,
    case: str | None = CaseOption,
) -> None:
    """UNIT is a child of OTHER (or, with --member, takes part in it) between two dates."""
    from dalil.accountability import relate_units

    app = app_of(ctx)
    fields = {"start_date": start, "end_date": end, "sensitivity": sensitivity}
    with app.write() as session:
        rel = relate_units(
            session,
            app.case(session, case),
            unit,
            other,
            kind="member" if member else "child",
            fields=fields,
            **_kinds(first_cited, last_cited),
        )
        console.print(f"added unit relation [bold]{rel.id}[/bold] (add sources: dalil claim add)")


@units_app.command("post")
def units_post(
    ctx: typer.Context,
    person: str,
    unit: str,
    role: str = typer.Option("commander", help="commander, deputy_commander, member, …"),
    rank: str | None = typer.Option(None),
    title: str | None = typer.Option(None),
    start: str | None = typer.Option(None),
    end: str | None = typer.Option(None),
    first_cited: bool = FirstCited,
    last_cited: bool = LastCited,
    sensitivity: str | None = Sensitivity,
    case: str | None = CaseOption,
) -> None:
    """Post PERSON to UNIT with a role, rank and title between two dates."""
    from dalil.accountability import add_posting

    app = app_of(ctx)
    fields = {"start_date": start, "end_date": end, "sensitivity": sensitivity}
    with app.write() as session:
        rel = add_posting(
            session,
            app.case(session, case),
            person,
            unit,
            role=role,
            rank=rank,
            title=title,
            fields=fields,
            **_kinds(first_cited, last_cited),
        )
        console.print(f"added posting [bold]{rel.id}[/bold] (add sources: dalil claim add)")


@units_app.command("position")
def units_position(
    ctx: typer.Context,
    unit: str,
    place: str,
    kind: str = typer.Option("base", help="base or area_of_operations."),
    start: str | None = typer.Option(None),
    end: str | None = typer.Option(None),
    first_cited: bool = FirstCited,
    last_cited: bool = LastCited,
    source: list[str] = typer.Option([], help="Source ID supporting it (repeatable)."),
    status: str = typer.Option("unverified", help="Status of those citations."),
    sensitivity: str | None = Sensitivity,
    case: str | None = CaseOption,
) -> None:
    """Record UNIT at PLACE (its base or an area of operations) between two dates."""
    from dalil.accountability import add_positioning, cite_positioning

    app = app_of(ctx)
    with app.write() as session:
        c = app.case(session, case)
        row = add_positioning(
            session,
            c,
            unit,
            place,
            kind=kind,
            start=start,
            end=end,
            sensitivity=sensitivity,
            **_kinds(first_cited, last_cited),
        )
        for src in source:
            cite_positioning(session, c, row.id, src, status=status)
        console.print(f"added positioning [bold]{row.id}[/bold] with {len(source)} source(s)")


@units_app.command("tree")
def units_tree(
    ctx: typer.Context,
    on: str | None = typer.Option(None, help="Only links that hold on this date."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """The unit hierarchy (all time, or on a date); a unit with two parents shows under both."""
    from dalil.accountability import load, parse_on, unit_tree

    app = app_of(ctx)
    with app.read() as session:
        data = load(session, app.case(session, case), app.lang)
        nodes = unit_tree(data, parse_on(on) if on else None)

    def add(branch: Tree, node: dict[str, Any]) -> None:
        if "loop" in node:
            branch.add(f"[red]loop back to {node['loop']}[/red]")
            return
        via = node["via"]
        kind = node["unit_type_label"] or node["org_type"]
        text = f"[bold]{esc(node['label'])}[/bold] [dim]{esc(kind)}[/dim]"
        if via is not None:
            text += f"  [dim]{esc(via['dates'])}[/dim] {_status(via['status'])}"
        if len(node["parents"]) > 1:
            parents = ", ".join(node["parents"])
            text += f"  [cyan]({len(node['parents'])} parents: {esc(parents)})[/cyan]"
        child = branch.add(text)
        for sub in node["children"]:
            add(child, sub)

    def render() -> None:
        root = Tree(f"Units of {esc(data.case.slug)}" + (f" on {esc(on)}" if on else ""))
        for node in nodes:
            add(root, node)
        console.print(root)

    emit(as_json, nodes, render)


@units_app.command("at")
def units_at_cmd(
    ctx: typer.Context, date: str, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """Every unit on DATE: parents, commanders, joint operations, positions."""
    from dalil.accountability import load, parse_on, units_at

    app = app_of(ctx)
    with app.read() as session:
        data = load(session, app.case(session, case), app.lang)
        rows = units_at(data, parse_on(date, "date"))

    def render() -> None:
        table = Table(title=f"Units on {esc(date)}", title_justify="left", show_lines=True)
        for column in ("Unit", "Under", "Commander(s)", "Positions"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                plain(row["label"]),
                "\n".join(
                    [f"{esc(p['object']['label'])} {_status(p['status'])}" for p in row["parents"]]
                    + [f"member of {esc(p['object']['label'])}" for p in row["memberships"]]
                ),
                "\n".join(_post_line(p) for p in row["commanders"])
                + "".join(f"\n[dim]candidate: {_post_line(p)}[/dim]" for p in row["candidates"]),
                "\n".join(
                    f"{esc(p['kind'])}: {esc(p['place']['label'])}" for p in row["positions"]
                ),
            )
        console.print(table)

    emit(as_json, rows, render)


def _print_chain(view: dict[str, Any]) -> None:
    console.print(
        f"[bold]Chain of command of {esc(view['unit']['label'])} on {esc(view['on'])}[/bold]"
    )
    for step in view["steps"]:
        console.print(f"{'  ' * step['depth']}[bold]{esc(step['label'])}[/bold]")
        for post in step["commanders"]:
            console.print(f"{'  ' * step['depth']}  commander: {_post_line(post)}")
        for post in step["candidates"]:
            why = post["why_not_counted"].replace("_", " ")
            console.print(
                f"{'  ' * step['depth']}  [dim]candidate ({why}): {_post_line(post)}[/dim]"
            )
        if not step["commanders"]:
            console.print(f"{'  ' * step['depth']}  [dim]no commander recorded on this date[/dim]")
    for link in view["links"]:
        console.print(
            f"  {esc(link['subject']['label'])} → {esc(link['object']['label'])}: "
            f"{esc(link['dates'])} · {_status(link['status'])} · "
            + esc("; ".join(s["title"] for s in link["sources"]) or "no source")
        )
    for path in view["paths"]:
        names = " → ".join(u["label"] for u in path["units"])
        console.print(f"path: {esc(names)} · weakest {_status(path['weakest_status'])}")
    console.print(f"[dim]{esc(view['date_rules'])}[/dim]")


@command_app.command("chain")
def command_chain(
    ctx: typer.Context,
    unit: str,
    on: str = typer.Option(..., help="The date: 2013, 2013-04 or 2013-04-16."),
    svg: Path | None = typer.Option(None, "--svg", help="Also draw the chain to this SVG file."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Units above UNIT on a date, their commanders, sources and weakest status per path."""
    from dalil.accountability import chain, load, parse_on, write_svg

    app = app_of(ctx)
    with app.read() as session:
        c = app.case(session, case)
        org = get_entity(session, unit, Organisation, case=c)
        view = chain(load(session, c, app.lang), org.id, parse_on(on))
    if svg is not None:
        view["svg"] = {"path": str(svg), "renderer": write_svg(view, svg)}

    def render() -> None:
        _print_chain(view)
        if "svg" in view:
            console.print(f"drew the chain to {esc(svg)} ({view['svg']['renderer']} renderer)")

    emit(as_json, view, render)


@command_app.command("incident")
def command_incident(
    ctx: typer.Context,
    incident: str,
    on: str | None = typer.Option(None, help="Date to use if not the incident's start date."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Units alleged to be involved in INCIDENT, their commanders then, and the chain above."""
    from dalil.accountability import incident_chains, load, parse_on

    app = app_of(ctx)
    with app.read() as session:
        c = app.case(session, case)
        found = get_entity(session, incident, Incident, case=c)
        view = incident_chains(
            session, load(session, c, app.lang), found, parse_on(on) if on else None, app.lang
        )

    def render() -> None:
        console.print(f"[bold]{esc(view['incident']['label'])}[/bold] on {esc(view['on'])}")
        for person in view["persons"]:
            console.print(
                f"alleged: {esc(person['label'])} ({esc(person['degree_label'])}) "
                + _status(person["status"])
            )
        if not view["units"]:
            console.print("no unit is alleged to be involved (directly or through a posting)")
        for unit in view["units"]:
            vias = "; ".join(a["via"] for a in unit["allegations"])
            console.print(
                f"\n[bold]unit:[/bold] {esc(unit['unit']['label'])} [dim]({esc(vias)})[/dim]"
            )
            _print_chain(unit["chain"])

    emit(as_json, view, render)


@command_app.command("profile")
def command_profile(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Person ID, or a name in any script."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Alleged perpetrators: incidents with degree of involvement, postings, names."""
    from dalil.accountability import find_persons, load, profile

    app = app_of(ctx)
    with app.read() as session:
        data = load(session, app.case(session, case), app.lang)
        views = [
            profile(session, data, p, app.lang) | {"matched": why}
            for p, why in find_persons(session, data, person)
        ]

    def render() -> None:
        for view in views:
            console.print(
                f"[bold]{esc(view['label'])}[/bold] [dim]{view['id']}[/dim]  "
                + f"({esc('; '.join(view['matched']))})"
            )
            console.print("  names: " + esc(" · ".join(n["full"] for n in view["names"])))
            for inc in view["incidents"]:
                console.print(
                    f"  alleged {esc(inc['degree_label'])} in {esc(inc['incident']['label'])} "
                    f"({esc(inc['date'])}) {_status(inc['status'])}"
                )
            for post in view["postings"]:
                console.print(
                    f"  {esc(post['role_label'])} of {esc(post['object']['label'])}: "
                    + _post_line(post)
                )
        console.print(f"[dim]{esc(views[0]['alleged'])}[/dim]")

    emit(as_json, views, render)


@xref_app.command("sanctions")
def xref_sanctions(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="FtM JSON or JSON-lines file (e.g. OpenSanctions)."),
    threshold: float = typer.Option(0.7, help="Lowest score to list (0–1)."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Likely matches between the case's perpetrators and units and a sanctions list."""
    from dalil.accountability import load, read_ftm, xref

    app = app_of(ctx)
    proxies = read_ftm(file)
    with app.read() as session:
        data = load(session, app.case(session, case), app.lang)
        matches = xref(session, data, proxies, threshold=threshold, lang=app.lang)

    def render() -> None:
        table = Table(
            title=f"Possible matches in {esc(file.name)} (leads to check, not identities)",
            title_justify="left",
            show_lines=True,
        )
        for column in ("Score", "Ours", "Theirs", "Why"):
            table.add_column(column)
        for m in matches:
            table.add_row(
                f"{m['score']:.2f}",
                plain(f"{m['ours']['label']}\n{m['ours']['id']} ({m['ours']['why']})"),
                plain(
                    f"{m['theirs']['caption']}\n{m['theirs']['id']} "
                    + ", ".join(m["theirs"]["topics"])
                ),
                plain(
                    f"{m['matched_names']['ours']} ≈ {m['matched_names']['theirs']}\n"
                    + "\n".join(m["reasons"])
                ),
            )
        console.print(table if matches else f"no match at or above {threshold}")

    emit(as_json, matches, render)


@export_app.command("ftm")
def export_ftm_cmd(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="File to write (line-delimited FtM JSON)."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Export the case's PUBLIC units, persons of interest, postings and incidents as FtM."""
    from dalil.accountability import export_ftm

    app = app_of(ctx)
    with app.read() as session:
        result = export_ftm(session, app.case(session, case), out).to_dict()

    def render() -> None:
        console.print(
            f"wrote {result['entities']} FtM entities to {esc(out)}: "
            + esc(", ".join(f"{k} {v}" for k, v in result["by_schema"].items()))
        )
        left = ", ".join(f"{v} {k}(s)" for k, v in result["left_out_not_public"].items()) or "none"
        console.print(
            f"only public records exported; left out as not public: {esc(left)}; "
            "victims and witnesses are never exported"
        )

    emit(as_json, result, render)
