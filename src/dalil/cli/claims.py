"""``dalil claim add|list|status`` and ``dalil relation add``."""

from __future__ import annotations

import typer

from dalil.cli.context import CaseOption, JsonOption, app_of, console, emit, esc, parse_pairs
from dalil.cli.render import claims_table
from dalil.db import Entity
from dalil.documentation import (
    add_claim,
    add_relation,
    entity_view,
    get_claim,
    get_entity,
    label,
    set_status,
)

claim_app = typer.Typer(help="Claims: sourced values of any property; conflicting ones coexist.")
relation_app = typer.Typer(help="Relations: victim of, alleged perpetrator in, commander of, …")


@claim_app.command("add")
def claim_add(
    ctx: typer.Context,
    subject: str = typer.Argument(..., help="ID of the record the claim is about."),
    prop: str = typer.Argument(..., metavar="PROPERTY", help="e.g. victim_count, status."),
    value: str = typer.Argument(..., help="The value the source gives."),
    source: str = typer.Option(..., help="ID of the source the claim rests on."),
    status: str = typer.Option("unverified", help="unverified, accepted or disputed."),
    qualifier: str | None = typer.Option(None, help="Numbers: exact, at_least, at_most, …"),
    locator: str | None = typer.Option(None, help="Where in the source: page, paragraph, time."),
    note: str | None = typer.Option(None),
    case: str | None = CaseOption,
) -> None:
    """Record that a source gives VALUE for PROPERTY of a record."""
    app = app_of(ctx)
    with app.write() as session:
        claim = add_claim(
            session,
            app.case(session, case),
            subject,
            prop,
            value,
            source,
            status=status,
            qualifier=qualifier,
            locator=locator,
            note=note,
        )
        console.print(f"added claim [bold]{claim.id}[/bold]: {esc(prop)} = {esc(claim.value_text)}")


@claim_app.command("list")
def claim_list(ctx: typer.Context, subject: str, as_json: bool = JsonOption) -> None:
    """List the claims about a record, grouped by property, disputes marked."""
    app = app_of(ctx)
    with app.read() as session:
        view = entity_view(session, get_entity(session, subject, Entity), app.lang)
    groups = view["claims"]

    def render() -> None:
        table = claims_table(groups, title=f"Claims about {esc(view['label'])}")
        console.print(table if table is not None else "no claims")

    emit(as_json, groups, render)


@claim_app.command("status")
def claim_status(
    ctx: typer.Context,
    claim: str,
    status: str = typer.Argument(..., help="unverified, accepted or disputed."),
    note: str | None = typer.Option(None, help="Why the status changed."),
) -> None:
    """Change a claim's status (recorded in history)."""
    app = app_of(ctx)
    with app.write() as session:
        updated = set_status(session, get_claim(session, claim), status, note)
        console.print(f"claim {updated.id} is now {updated.status}")


@relation_app.command("add")
def relation_add(
    ctx: typer.Context,
    relation_type: str = typer.Argument(..., metavar="TYPE", help="victim_of, commander_of, …"),
    subject: str = typer.Argument(..., help="ID of the subject (person or organisation)."),
    object_: str = typer.Argument(..., metavar="OBJECT", help="ID of the object."),
    start: str | None = typer.Option(None, help="Start date (partial dates allowed)."),
    end: str | None = typer.Option(None, help="End date."),
    attr: list[str] = typer.Option([], help="Attribute NAME=VALUE, e.g. rank=Colonel."),
    note: str | None = typer.Option(None),
    sensitivity: str | None = typer.Option(None),
    case: str | None = CaseOption,
) -> None:
    """Link two records with a typed relation."""
    app = app_of(ctx)
    with app.write() as session:
        relation = add_relation(
            session,
            app.case(session, case),
            relation_type,
            subject,
            object_,
            attributes=parse_pairs(attr, "attr"),
            fields={"start_date": start, "end_date": end, "note": note, "sensitivity": sensitivity},
        )
        console.print(
            f"added relation [bold]{relation.id}[/bold]: {label(session, relation, app.lang)}"
        )
