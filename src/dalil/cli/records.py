"""``dalil place|incident|person|org|source``: add, show, list and search the case's records."""

from __future__ import annotations

from typing import Any

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.cli.context import CaseOption, JsonOption, Table, app_of, console, emit, esc, plain
from dalil.cli.render import show_entity
from dalil.db import Base, Case, Entity, Incident, Organisation, Person, Place, Relation, Source
from dalil.documentation import (
    NameInput,
    add_person,
    create,
    entity_view,
    get_entity,
    label,
    place_path,
    rebuild_index,
    search_persons,
)

place_app = typer.Typer(help="Places: country › governorate › district › neighbourhood › site.")
incident_app = typer.Typer(help="Incidents: what happened, when and where.")
person_app = typer.Typer(help="Persons: victims, missing, witnesses, alleged perpetrators.")
org_app = typer.Typer(help="Organisations, including military and security units.")
source_app = typer.Typer(help="Sources that claims rest on.")

SensitivityOption = typer.Option(None, help="public, restricted (default) or confidential.")


def _add(
    ctx: typer.Context, case: str | None, kind: str, values: dict[str, Any], **kw: Any
) -> None:
    app = app_of(ctx)
    with app.write() as session:
        entity = create(session, app.case(session, case), kind, values, **kw)
        console.print(
            f"added {kind} [bold]{entity.id}[/bold]: {esc(label(session, entity, app.lang))}"
        )


def _show(ctx: typer.Context, ref: str, cls: type[Entity], as_json: bool) -> None:
    app = app_of(ctx)
    with app.read() as session:
        view = entity_view(session, get_entity(session, ref, cls), app.lang)
    emit(as_json, view, lambda: show_entity(view))


def _list(ctx: typer.Context, case: str | None, cls: type[Entity], as_json: bool) -> None:
    app = app_of(ctx)
    with app.read() as session:
        c = app.case(session, case)
        rows = [
            {"id": e.id, "label": label(session, e, app.lang)}
            | ({"path": place_path(session, e.id, app.lang)} if isinstance(e, Place) else {})
            | ({"start_date": str(e.start_date or "")} if isinstance(e, Incident) else {})
            for e in session.scalars(
                select(cls).where(cls.case_id == c.id, cls.deleted_at.is_(None)).order_by(cls.id)
            )
        ]

    def render() -> None:
        table = Table(title=f"{cls.__name__}s of {c.slug}", title_justify="left")
        for column in rows[0] if rows else ("id", "label"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(plain(v) for v in row.values()))
        console.print(table)

    emit(as_json, rows, render)


@place_app.command("add")
def place_add(
    ctx: typer.Context,
    place_type: str = typer.Option(..., "--type", help="country, governorate, district, …"),
    name_en: str | None = typer.Option(None, "--name-en"),
    name_ar: str | None = typer.Option(None, "--name-ar"),
    parent: str | None = typer.Option(None, help="ID of the place this one lies in."),
    lat: str | None = typer.Option(None, help="Latitude, -90 to 90."),
    lon: str | None = typer.Option(None, help="Longitude, -180 to 180."),
    sensitivity: str | None = SensitivityOption,
    case: str | None = CaseOption,
) -> None:
    """Add a place."""
    values = {"place_type": place_type, "name_en": name_en, "name_ar": name_ar}
    values |= {"parent_id": parent, "latitude": lat, "longitude": lon, "sensitivity": sensitivity}
    _add(ctx, case, "place", values)


@place_app.command("list")
def place_list(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """List the case's places with their hierarchy."""
    _list(ctx, case, Place, as_json)


@incident_app.command("add")
def incident_add(
    ctx: typer.Context,
    title_en: str | None = typer.Option(None, "--title-en"),
    title_ar: str | None = typer.Option(None, "--title-ar"),
    start: str | None = typer.Option(None, help="2013, 2013-04, 2013-04-16 or 'circa 2013'."),
    end: str | None = typer.Option(None, help="Same forms as --start."),
    place: str | None = typer.Option(None, help="ID of the place."),
    violation: list[str] = typer.Option([], help="Violation type (repeatable)."),
    description_en: str | None = typer.Option(None, "--description-en"),
    description_ar: str | None = typer.Option(None, "--description-ar"),
    sensitivity: str | None = SensitivityOption,
    case: str | None = CaseOption,
) -> None:
    """Add an incident."""
    values = {"title_en": title_en, "title_ar": title_ar, "start_date": start, "end_date": end}
    values |= {"place_id": place, "description_en": description_en}
    values |= {"description_ar": description_ar, "sensitivity": sensitivity}
    _add(ctx, case, "incident", values, violation_types=violation)


@incident_app.command("show")
def incident_show(ctx: typer.Context, incident: str, as_json: bool = JsonOption) -> None:
    """Show an incident: claims side by side, victims counted, the estimate, people and units."""
    app = app_of(ctx)
    with app.read() as session:
        entity = get_entity(session, incident, Incident)
        view = entity_view(session, entity, app.lang)
        view["counts"] = victim_counts(session, entity, view)

    def render() -> None:
        show_entity(view)
        render_counts(view["counts"])

    emit(as_json, view, render)


def victim_counts(session: Session, incident: Incident, view: dict[str, Any]) -> dict[str, Any]:
    """What sources claim, what the case documents, and what is estimated, for one incident."""
    from dalil.estimation import list_estimates  # NumPy: only when an incident is shown

    person = Base.metadata.tables["entities"].alias("victim")
    documented = session.scalar(
        select(func.count())
        .select_from(Relation)
        .join(person, person.c.id == Relation.subject_id)
        .where(
            Relation.object_id == incident.id,
            Relation.relation_type == "victim_of",
            Relation.deleted_at.is_(None),
            person.c.deleted_at.is_(None),
        )
    )
    claimed = [
        {"shown": c["shown"], "status": c["status"], "source": c["source"]["title"]}
        for group in view["claims"]
        if group["property"] == "victim_count"
        for c in group["claims"]
    ]
    case = session.get(Case, incident.case_id)
    stored = list_estimates(session, case)
    latest = stored[0] if stored else None
    estimate = None
    if latest is not None:
        estimate = {
            "id": latest.id,
            "method": latest.label or latest.method,
            "total": latest.total,
            "lower": latest.lower,
            "upper": latest.upper,
            "level": latest.level,
            "documented_on_lists": latest.documented,
        }
    return {"claimed": claimed, "documented": documented or 0, "estimate": estimate}


def render_counts(counts: dict[str, Any]) -> None:
    if not counts["claimed"] and not counts["documented"] and counts["estimate"] is None:
        return
    table = Table(
        title="Victims: sources, this case's records and the estimate, side by side",
        title_justify="left",
    )
    for column in ("figure", "what it is", "where it comes from"):
        table.add_column(column)
    for c in counts["claimed"]:
        table.add_row(plain(c["shown"]), plain(f"claimed ({c['status']})"), plain(c["source"]))
    table.add_row(
        str(counts["documented"]),
        "persons recorded as victims in this case",
        "this case's records",
    )
    est = counts["estimate"]
    if est is not None and est["total"] is not None:
        interval = ""
        if est["lower"] is not None and est["upper"] is not None:
            interval = f" [{est['lower']:,.0f}–{est['upper']:,.0f}]"
        table.add_row(
            f"{est['total']:,.0f}{interval}",
            plain(
                f"estimated total, {est['method']}, {est['level']:.0%} interval, from "
                f"{est['documented_on_lists']} persons on the case's lists"
            ),
            plain(f"dalil estimate show {est['id']}"),
        )
    console.print(table)


@incident_app.command("list")
def incident_list(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """List the case's incidents."""
    _list(ctx, case, Incident, as_json)


@person_app.command("add")
def person_add(
    ctx: typer.Context,
    given: str | None = typer.Option(None, help="Given name."),
    father: str | None = typer.Option(None, help="Father's name."),
    grandfather: str | None = typer.Option(None, help="Grandfather's name."),
    family: str | None = typer.Option(None, help="Family name."),
    mother: str | None = typer.Option(None, help="Mother's name."),
    full: str | None = typer.Option(None, help="Full name, when the parts are not known."),
    other_name: list[str] = typer.Option([], help="Another name or spelling (repeatable)."),
    sex: str | None = typer.Option(None, help="female, male or unknown."),
    birth_date: str | None = typer.Option(None, "--birth-date"),
    status: str | None = typer.Option(None, help="killed, missing, detained, released, …"),
    status_date: str | None = typer.Option(None, "--status-date", help="When status was known."),
    sensitivity: str | None = SensitivityOption,
    case: str | None = CaseOption,
) -> None:
    """Add a person (names in any script; Arabic and Latin both fine)."""
    names = [NameInput(given, father, grandfather, family, mother, full)]
    names += [NameInput(full=n, kind="variant") for n in other_name]
    fields = {"sex": sex, "birth_date": birth_date, "status": status, "status_date": status_date}
    fields["sensitivity"] = sensitivity
    app = app_of(ctx)

    with app.write() as session:
        person = add_person(session, app.case(session, case), names, fields)
        console.print(
            f"added person [bold]{person.id}[/bold]: {esc(label(session, person, app.lang))}"
        )


@person_app.command("show")
def person_show(ctx: typer.Context, person: str, as_json: bool = JsonOption) -> None:
    """Show a person: names, status, claims and relations."""
    _show(ctx, person, Person, as_json)


@person_app.command("search")
def person_search(
    ctx: typer.Context,
    query: str,
    case: str | None = CaseOption,
    limit: int = typer.Option(50, min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """Find persons by name; Arabic spelling variants (أحمد/احمد, ة/ه, ى/ي) match."""
    app = app_of(ctx)
    with app.read() as session:
        hits = search_persons(session, app.case(session, case), query, limit=limit)
        rows = [
            {
                "id": h.person.id,
                "name": label(session, h.person, app.lang),
                "matched": h.matched.full,
                "status": h.person.status,
            }
            for h in hits
        ]

    def render() -> None:
        table = Table(
            title=f"{len(rows)} person(s) matching {esc(repr(query))}", title_justify="left"
        )
        for column in ("id", "name", "matched", "status"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(plain(v) for v in row.values()))
        console.print(table)

    emit(as_json, rows, render)


@person_app.command("reindex")
def person_reindex(
    ctx: typer.Context,
    case: str | None = typer.Option(None, help="Only this case (slug or ID); default: all."),
    as_json: bool = JsonOption,
) -> None:
    """Rebuild the person-name search index from the stored names (maintenance)."""
    app = app_of(ctx)
    with app.write() as session:
        case_id = None if case is None else app.case(session, case).id
        rows = rebuild_index(session.connection(), case_id=case_id)
    result = {"case": case, "index_rows": rows}
    emit(as_json, result, lambda: console.print(f"search index rebuilt: {rows} row(s)"))


@org_app.command("add")
def org_add(
    ctx: typer.Context,
    org_type: str = typer.Option(..., "--type", help="intelligence_branch, militia, ngo, …"),
    name_en: str | None = typer.Option(None, "--name-en"),
    name_ar: str | None = typer.Option(None, "--name-ar"),
    abbreviation: str | None = typer.Option(None),
    description: str | None = typer.Option(None),
    sensitivity: str | None = SensitivityOption,
    case: str | None = CaseOption,
) -> None:
    """Add an organisation or unit."""
    values = {"org_type": org_type, "name_en": name_en, "name_ar": name_ar}
    values |= {"abbreviation": abbreviation, "description": description}
    _add(ctx, case, "organisation", values | {"sensitivity": sensitivity})


@org_app.command("show")
def org_show(ctx: typer.Context, org: str, as_json: bool = JsonOption) -> None:
    """Show an organisation with its claims and relations."""
    _show(ctx, org, Organisation, as_json)


@org_app.command("list")
def org_list(ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption) -> None:
    """List the case's organisations."""
    _list(ctx, case, Organisation, as_json)


@source_app.command("add")
def source_add(
    ctx: typer.Context,
    source_type: str = typer.Option(..., "--type", help="report, testimony, news_article, …"),
    title: str = typer.Option(..., help="Title or short description."),
    author: str | None = typer.Option(None),
    publisher: str | None = typer.Option(None, help="Outlet or organisation that published it."),
    published: str | None = typer.Option(None, help="Publication date (partial dates allowed)."),
    language: str | None = typer.Option(None, help="ISO 639-1 code: ar, en, fr, …"),
    url: str | None = typer.Option(None),
    reliability: str | None = typer.Option(None, help="high, medium, low or unknown."),
    note: str | None = typer.Option(None),
    sensitivity: str | None = SensitivityOption,
    case: str | None = CaseOption,
) -> None:
    """Add a source."""
    values = {"source_type": source_type, "title": title, "author": author}
    values |= {"publisher": publisher, "published": published, "language": language, "url": url}
    values |= {"reliability": reliability, "note": note, "sensitivity": sensitivity}
    _add(ctx, case, "source", values)


@source_app.command("show")
def source_show(ctx: typer.Context, source: str, as_json: bool = JsonOption) -> None:
    """Show a source."""
    _show(ctx, source, Source, as_json)


@source_app.command("list")
def source_list(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """List the case's sources."""
    _list(ctx, case, Source, as_json)
