"""Incident and person pages, and the form that adds a sourced claim about a person.

Both pages start from the same view the CLI and the API use (:func:`entity_view`), passed
through :func:`dalil.web.api.visibility.visible_view`: what the role may not read is removed
before the template sees it. A new claim is written through :func:`add_claim` in one transaction
named for the user, only when :func:`dalil.access.require` allows ``write`` at the person's level
and the cited source is one the user may read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from dalil.access import require
from dalil.db import Change, Entity, Incident, Person, Source
from dalil.db.models_evidence_items import EvidenceItem
from dalil.documentation import add_claim, entity_view, get_case, properties
from dalil.errors import DalilError, NotFound
from dalil.web import session as web_session
from dalil.web.api.visibility import require_read, visible_view
from dalil.web.ui.context import CasePage, Page, RecordId, database
from dalil.web.ui.labels import FIELD_LABELS
from dalil.web.ui.pages.dashboard import estimates
from dalil.web.ui.pages.linked import attribute_labels, linked, term_text
from dalil.web.ui.templating import engine_message, render

router = APIRouter(include_in_schema=False)

PEOPLE_PAGE = 25


def record_view(
    page: Page, cls: type[Entity], ref: str, *, with_relations: bool = True
) -> tuple[Entity, dict[str, Any]]:
    """The record (of this case) and its view as the user may see it; 404 otherwise."""
    assert page.case is not None
    assert page.principal is not None
    missing = f"no {cls.__mapper__.polymorphic_identity} {ref!r}"
    entity = page.session.get(cls, ref)
    if entity is None or entity.deleted_at is not None or entity.case_id != page.case.id:
        raise NotFound(missing)
    require_read(page.principal, entity.case_id, entity.sensitivity, missing)
    view = entity_view(page.session, entity, page.lang, with_relations=with_relations)
    view = visible_view(page.session, page.principal, entity.case_id, view, missing)
    _label_terms(view, entity.kind, page.lang)
    return entity, view


def _label_terms(view: dict[str, Any], kind: str, lang: str) -> None:
    """Show vocabulary terms (a claimed status, a degree of involvement) by their labels."""
    declared = properties().get(kind, {})
    for group in view["claims"]:
        prop = declared.get(group["property"])
        if prop is None or prop.vocabulary is None:
            continue
        for claim in group["claims"]:
            claim["shown"] = term_text(prop.vocabulary, claim["value"], lang)
    for rel in view["relations"]:
        rel["attribute_labels"] = attribute_labels(rel["type"], rel["attributes"], lang)


@router.get("/cases/{slug}/incidents/{id}")
def incident_page(
    page: CasePage, request: Request, id: RecordId, shown: int = PEOPLE_PAGE
) -> Response:
    assert page.case is not None
    shown = max(PEOPLE_PAGE, min(shown, 100_000))
    _, view = record_view(page, Incident, id, with_relations=False)
    people = linked(page, id, shown)
    victims = next((g["total"] for g in people if g["type"] == "victim_of"), 0)
    evidence = list(
        page.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id == page.case.id)
            .where(EvidenceItem.sensitivity.in_(page.levels))
            .order_by(EvidenceItem.created_at, EvidenceItem.id)
            .limit(50)
        )
    )
    context = {
        "page": page,
        "view": view,
        "people": people,
        "shown": shown,
        "step": PEOPLE_PAGE,
        "victims": victims,
        "registry": registry_count(page),
        "estimates": estimates(page),
        "evidence": evidence,
        "disputed": [g for g in view["claims"] if g["in_dispute"]],
        "agreed": [g for g in view["claims"] if not g["in_dispute"]],
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "people":
        return render(request, "partials/people.html", context)
    return render(request, "incident.html", context)


def registry_count(page: Page) -> int | None:
    """Persons in the case's victim registry (list records linked into persons) with a record
    in a list the role may read (None: the role may not read the registry)."""
    from sqlalchemy import func

    from dalil.db.models_registry import ListRecord, RegistryMember, RegistryPerson

    assert page.case is not None
    levels = [level for level in page.levels if page.can("registry.read", level)]
    if not levels:
        return None
    return page.session.scalar(
        select(func.count(func.distinct(RegistryMember.registry_person_id)))
        .select_from(RegistryMember)
        .join(RegistryPerson, RegistryPerson.id == RegistryMember.registry_person_id)
        .join(ListRecord, ListRecord.id == RegistryMember.record_id)
        .join(Source, Source.id == ListRecord.source_id)
        .where(RegistryPerson.case_id == page.case.id, RegistryPerson.status == "active")
        .where(Source.sensitivity.in_(levels), Source.deleted_at.is_(None))
    )


def _status_history(page: Page, person: Entity) -> list[dict[str, Any]]:
    """Each recorded change of the person's status, oldest first (from the change trail)."""
    rows = page.session.scalars(
        select(Change)
        .where(Change.entity_id == person.id, Change.table == "persons")
        .order_by(Change.id)
    )
    history = []
    for change in rows:
        after = change.after or {}
        before = change.before or {}
        if "status" in after and after.get("status") != before.get("status"):
            history.append(
                {"at": change.at, "status": after["status"], "date": after.get("status_date")}
            )
    return history


def term_id(kind: str, name: str, value: str) -> str:
    """A vocabulary term typed by its label in either language (مفقود, Missing) as its ID
    (``missing``), so that no one has to type English IDs; anything else is left as typed."""
    from dalil.vocab import vocabularies

    prop = properties().get(kind, {}).get(name)
    if prop is None or prop.vocabulary is None:
        return value
    wanted = " ".join(value.split()).casefold()
    for term in vocabularies().get(prop.vocabulary).terms:
        if wanted in (term.id.casefold(), str(term.en).casefold(), str(term.ar).casefold()):
            return term.id
    return value


def _list_records(page: Page, person: Entity) -> list[dict[str, Any]] | None:
    """The rows of victim and missing lists behind the person: the records of the registry
    persons linked to it, each with its list and row, at the list levels the role may read
    (None: the role may not read the registry at all)."""
    from dalil.db.models_registry import RegistryMember, RegistryPerson
    from dalil.registry.link_views import resolve
    from dalil.registry.review import record_views

    assert page.case is not None
    if not page.can("registry.read", "public"):
        return None
    named = page.session.execute(
        select(RegistryPerson.id, RegistryPerson.status).where(
            RegistryPerson.case_id == page.case.id, RegistryPerson.person_id == person.id
        )
    ).all()
    # A registry person retired by a later run (merged or split) lives on in the persons it
    # became: their records are the ones linkage now places with this person.
    active = {ref for ref, status in named if status == "active"}
    for ref, status in named:
        if status != "active":
            active.update(resolve(page.session, ref))
    held = dict(
        page.session.execute(
            select(RegistryMember.record_id, RegistryMember.registry_person_id).where(
                RegistryMember.registry_person_id.in_(sorted(active))
            )
        ).all()
    )
    shown = [
        view | {"registry_id": held[ref]}
        for ref, view in record_views(page.session, held).items()
        if page.can("registry.read", view["sensitivity"])
    ]
    return sorted(shown, key=lambda v: (v["source"]["title"] or "", v["row_number"], v["id"]))


def _sources(page: Page) -> list[Source]:
    assert page.case is not None
    return list(
        page.session.scalars(
            select(Source)
            .where(Source.case_id == page.case.id, Source.deleted_at.is_(None))
            .where(Source.sensitivity.in_(page.levels))
            .order_by(Source.title, Source.id)
        )
    )


def _person_context(page: Page, id: str, **extra: Any) -> dict[str, Any]:
    person, view = record_view(page, Person, id)
    can_edit = page.can("write", person.sensitivity)
    context = {
        "page": page,
        "view": view,
        "person": person,
        "status_history": _status_history(page, person),
        "list_records": _list_records(page, person),
        "field_labels": FIELD_LABELS,
        "can_edit": can_edit,
        "properties": list(properties()["person"].values()) if can_edit else [],
        "sources": _sources(page) if can_edit else [],
        "form": {},
        "form_error": None,
        "added": page.request.query_params.get("added"),
    }
    context.update(extra)
    return context


@router.get("/cases/{slug}/persons/{id}")
def person_page(page: CasePage, request: Request, id: RecordId) -> Response:
    return render(request, "person.html", _person_context(page, id))


@router.post("/cases/{slug}/persons/{id}/claims", dependencies=[Depends(web_session.check_csrf)])
def add_person_claim(
    page: CasePage,
    request: Request,
    id: RecordId,
    property: Annotated[str, Form(max_length=64)],
    value: Annotated[str, Form(max_length=5000)],
    source: Annotated[str, Form(max_length=80)],
    locator: Annotated[str, Form(max_length=256)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    person, _ = record_view(page, Person, id)
    require(page.principal, "write", page.case.id, person.sensitivity)
    cited = page.session.get(Source, source)
    if cited is None or cited.case_id != page.case.id or cited.sensitivity not in page.levels:
        raise NotFound(f"no source {source!r}")
    value = term_id(person.kind, property, value)
    form = {
        "property": property,
        "value": value,
        "source": source,
        "locator": locator,
        "note": note,
    }
    try:
        with database(request).transaction(page.user.name) as writer:
            case = get_case(writer, page.case.slug)
            claim = add_claim(
                writer, case, person.id, property, value, source,
                locator=locator or None, note=note or None,
            )  # fmt: skip
            claim_id = claim.id
    except NotFound:
        raise
    except DalilError as exc:
        context = _person_context(
            page, id, form=form, form_error=engine_message(page.lang, exc.message)
        )
        return render(request, "person.html", context, status_code=422)
    target = page.case_url("persons", person.id) + f"?added={claim_id}#claims"
    return RedirectResponse(target, status_code=303)
