"""Creating, changing, soft-deleting and restoring entities of a case.

Every change goes through :func:`create` or :func:`update`, which parse fields with
:mod:`dalil.documentation.fields`, check references stay inside the case, and let the session hook
write history. Persons' names live in :mod:`dalil.documentation.persons`; relations in
:mod:`dalil.documentation.relations`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.db import (
    Case,
    Entity,
    Incident,
    IncidentViolation,
    Organisation,
    Person,
    Place,
    Relation,
    Source,
    new_id,
)
from dalil.db.types import utcnow
from dalil.documentation.cases import actor_of
from dalil.documentation.fields import (
    Ref,
    Term,
    check_date_order,
    check_required,
    coerce,
    spec,
)
from dalil.documentation.lookup import get_entity
from dalil.errors import Conflict, InvalidInput

E = TypeVar("E", bound=Entity)

CLASSES: dict[str, type[Entity]] = {
    "place": Place,
    "incident": Incident,
    "person": Person,
    "organisation": Organisation,
    "source": Source,
    "relation": Relation,
}
# A place's parent must be of a broader type than the place itself.
PLACE_RANK = {
    "country": 0,
    "governorate": 1,
    "district": 2,
    "subdistrict": 3,
    "city": 4,
    "neighbourhood": 5,
    "site": 6,
}


def _resolve_refs(session: Session, case: Case, kind: str, values: dict[str, Any]) -> None:
    for field, value in list(values.items()):
        parser = spec(kind, field)
        if isinstance(parser, Ref) and value is not None:
            values[field] = get_entity(session, value, CLASSES[parser.kind], case=case).id


def _check(session: Session, entity: Entity) -> None:
    if isinstance(entity, Incident | Relation):
        check_date_order(entity.start_date, entity.end_date)
    if isinstance(entity, Place):
        if entity.name_en is None and entity.name_ar is None:
            raise InvalidInput("name", "a place needs a name in English or Arabic")
        if entity.parent_id is not None:
            _check_place_parent(session, entity)
        _check_place_children(session, entity)
    if isinstance(entity, Organisation) and entity.name_en is None and entity.name_ar is None:
        raise InvalidInput("name", "an organisation needs a name in English or Arabic")
    if isinstance(entity, Incident) and entity.title_en is None and entity.title_ar is None:
        raise InvalidInput("title", "an incident needs a title in English or Arabic")


def _check_place_children(session: Session, place: Place) -> None:
    narrowest_child = session.scalars(
        select(Place.place_type).where(Place.parent_id == place.id, Place.deleted_at.is_(None))
    ).all()
    for child_type in narrowest_child:
        if PLACE_RANK[child_type] <= PLACE_RANK[place.place_type]:
            raise InvalidInput(
                "place_type",
                f"a {place.place_type} cannot contain a {child_type}, and this place does",
            )


def _check_place_parent(session: Session, place: Place) -> None:
    seen = {place.id}
    parent = session.get(Place, place.parent_id)
    assert parent is not None
    if PLACE_RANK[parent.place_type] >= PLACE_RANK[place.place_type]:
        raise InvalidInput(
            "parent",
            f"a {place.place_type} cannot lie inside a {parent.place_type} "
            "(order: country › governorate › district › subdistrict › city › neighbourhood › site)",
        )
    while parent is not None:  # ranks strictly decrease, but guard against edits that loop
        if parent.id in seen:
            raise InvalidInput("parent", "places cannot contain each other in a loop")
        seen.add(parent.id)
        parent = session.get(Place, parent.parent_id) if parent.parent_id else None


def create(
    session: Session,
    case: Case,
    kind: str,
    values: dict[str, Any],
    *,
    entity_id: str | None = None,
    violation_types: list[str] | None = None,
    checked: dict[str, Any] | None = None,
) -> Entity:
    """A new entity of ``kind`` in ``case`` from raw field values (text or typed).

    ``checked`` holds attributes the caller has validated itself (a relation's ends and type).
    """
    cls = CLASSES[kind]
    parsed = coerce(kind, values)
    check_required(kind, parsed)
    _resolve_refs(session, case, kind, parsed)
    actor = actor_of(session)
    entity = cls(
        id=entity_id or new_id(kind),
        case_id=case.id,
        created_by=actor,
        updated_by=actor,
        **{k: v for k, v in parsed.items() if v is not None},
        **(checked or {}),
    )
    if isinstance(entity, Incident):
        set_violation_types(entity, violation_types or [])
    _check(session, entity)
    session.add(entity)
    session.flush()
    return entity


def set_violation_types(incident: Incident, terms: list[str]) -> None:
    parser = Term("violation_types")
    wanted = {parser.parse("violation_type", t) for t in terms} - {None}
    incident.violations = [v for v in incident.violations if v.violation_type in wanted]
    have = {v.violation_type for v in incident.violations}
    for term in sorted(t for t in wanted - have if t is not None):
        incident.violations.append(IncidentViolation(violation_type=term))


def update(session: Session, entity: Entity, values: dict[str, Any]) -> Entity:
    """Change fields of a live entity; the history hook records before and after."""
    if entity.deleted_at is not None:
        raise Conflict(f"{entity.id} is deleted; restore it before changing it")
    case = session.get(Case, entity.case_id)
    assert case is not None
    parsed = coerce(entity.kind, values)
    _resolve_refs(session, case, entity.kind, parsed)
    columns = type(entity).__mapper__.columns
    for field, value in parsed.items():
        if value is None and not columns[field].nullable:
            raise InvalidInput(field, "cannot be emptied; give a value")
    for field, value in parsed.items():
        setattr(entity, field, value)
    check_required(entity.kind, {f: getattr(entity, f) for f in parsed})
    _check(session, entity)
    entity.updated_by = actor_of(session)
    session.flush()
    return entity


def soft_delete(session: Session, entity: Entity) -> Entity:
    if entity.deleted_at is not None:
        raise Conflict(f"{entity.id} is already deleted")
    entity.deleted_at = utcnow()
    entity.updated_by = actor_of(session)
    session.flush()
    return entity


def restore(session: Session, entity: Entity) -> Entity:
    if entity.deleted_at is None:
        raise Conflict(f"{entity.id} is not deleted")
    entity.deleted_at = None
    entity.updated_by = actor_of(session)
    session.flush()
    return entity
