"""Typed relations between persons, organisations and incidents (victim of, commander of…).

The relation types, which kinds each may join and which attributes each carries are declared in
the ``relation_types`` vocabulary; this module enforces them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from dalil.db import Base, Case, Entity, Relation
from dalil.documentation.entities import create
from dalil.documentation.fields import Term, Text
from dalil.documentation.lookup import get_entity
from dalil.errors import InvalidInput, a
from dalil.vocab import vocabularies


def add_relation(
    session: Session,
    case: Case,
    relation_type: str,
    subject: str,
    object_: str,
    *,
    attributes: dict[str, str] | None = None,
    fields: dict[str, Any] | None = None,
    relation_id: str | None = None,
) -> Relation:
    term_id = Term("relation_types", required=True).parse("relation_type", relation_type)
    term = vocabularies().get("relation_types").require(str(term_id))
    subj = get_entity(session, subject, Entity, case=case)
    obj = get_entity(session, object_, Entity, case=case)
    for end, entity, kinds in (("subject", subj, term.subject), ("object", obj, term.object)):
        if entity.kind not in (kinds or ()):
            raise InvalidInput(
                end,
                f"{a(entity.kind)} cannot be the {end} of {term.id}; "
                f"allowed: {', '.join(kinds or ())}",
            )
    if subj.id == obj.id:
        raise InvalidInput("object", "a relation needs two different records")
    allowed = term.attributes or {}
    clean: dict[str, str] = {}
    for name, raw in (attributes or {}).items():
        if name not in allowed:
            valid = ", ".join(sorted(allowed)) or "none"
            raise InvalidInput(name, f"is not an attribute of {term.id}; attributes: {valid}")
        kind = allowed[name]
        value = (
            Text(max_length=500).parse(name, raw) if kind == "text" else Term(kind).parse(name, raw)
        )
        if value is not None:
            clean[name] = value
    relation = create(
        session,
        case,
        "relation",
        dict(fields or {}),
        entity_id=relation_id,
        checked={
            "relation_type": term.id,
            "subject_id": subj.id,
            "object_id": obj.id,
            "attributes": clean,
        },
    )
    assert isinstance(relation, Relation)
    return relation


@cache
def _relations_of_statement() -> Select[Relation]:
    """Built once (a person page asks it on every read): the entity's id is a parameter."""
    entities = Base.metadata.tables["entities"]
    subject, object_ = entities.alias("subject"), entities.alias("object")
    me = bindparam("entity_id", type_=String)
    return (
        select(Relation)
        .join(subject, and_(subject.c.id == Relation.subject_id, subject.c.deleted_at.is_(None)))
        .join(object_, and_(object_.c.id == Relation.object_id, object_.c.deleted_at.is_(None)))
        .where(
            or_(Relation.subject_id == me, Relation.object_id == me), Relation.deleted_at.is_(None)
        )
        .order_by(Relation.relation_type, Relation.created_at, Relation.id)
    )


def relations_of(session: Session, entity: Entity) -> list[Relation]:
    """Live relations where ``entity`` is subject or object and the other end is live too."""
    return list(session.scalars(_relations_of_statement(), {"entity_id": entity.id}))
