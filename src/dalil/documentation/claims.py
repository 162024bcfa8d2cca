"""Claims: sourced statements of a property's value, which may agree, conflict or be disputed.

A claim is never overwritten by another: "41 victims" (one source) and "288 victims" (another)
both stay, each with its source and status, and :func:`property_claims` groups them so a view can
show the accepted value beside the disputes. Changing a claim's status is an update recorded in
history; a claim is withdrawn by soft-deleting it, never by editing its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import Session

from dalil.db import Case, Claim, Entity, Source, new_id
from dalil.db.types import utcnow
from dalil.documentation.cases import actor_of
from dalil.documentation.entities import CLASSES
from dalil.documentation.fields import Date, Number, Term, Text
from dalil.documentation.lookup import get_entity
from dalil.documentation.properties import Property, properties, property_of
from dalil.errors import Conflict, InvalidInput, NotFound

TRUE = {"true", "yes", "1", "نعم", "صحيح"}
FALSE = {"false", "no", "0", "لا", "خطأ"}


def format_number(value: float) -> str:
    """41 → "41", 2.5 → "2.5"; beyond exact-integer floats, scientific notation (no fake digits)."""
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else f"{value:g}"


def _typed_value(session: Session, case: Case, prop: Property, raw: str) -> dict[str, object]:
    """The claim's value columns for ``raw``, parsed by the property's type."""
    where = f"value of {prop.name}"
    if prop.type == "number":
        number = Number(low=prop.min if prop.min is not None else -math.inf).parse(where, raw)
        if number is None:
            raise InvalidInput(where, "a number is required")
        return {"value_number": number, "value_text": format_number(number)}
    if prop.type == "date":
        date = Date().parse(where, raw)
        if date is None:
            raise InvalidInput(where, "a date is required")
        return {"value_date": date, "value_text": str(date)}
    if prop.type == "term":
        assert prop.vocabulary is not None
        term = Term(prop.vocabulary, required=True).parse(where, raw)
        return {"value_text": term}
    if prop.type == "entity":
        assert prop.kind is not None
        target = get_entity(session, raw, CLASSES[prop.kind], case=case)
        return {"value_ref": target.id, "value_text": target.id}
    if prop.type == "boolean":
        word = (raw or "").strip().casefold()
        if word not in TRUE | FALSE:
            raise InvalidInput(where, "must be true or false (yes/no, نعم/لا)")
        return {"value_text": "true" if word in TRUE else "false"}
    text = Text(required=True, max_length=5000).parse(where, raw)
    return {"value_text": text}


def add_claim(
    session: Session,
    case: Case,
    subject: str,
    prop_name: str,
    value: str,
    source: str,
    *,
    status: str = "unverified",
    qualifier: str | None = None,
    locator: str | None = None,
    note: str | None = None,
    claim_id: str | None = None,
) -> Claim:
    entity = get_entity(session, subject, Entity, case=case)
    prop = property_of(entity.kind, prop_name)
    src = get_entity(session, source, Source, case=case)
    qualifier = Term("number_qualifiers").parse("qualifier", qualifier)
    if qualifier is not None and prop.type != "number":
        raise InvalidInput("qualifier", "only numeric claims take a qualifier (at_least, …)")
    claim = Claim(
        id=claim_id or new_id("claim"),
        case_id=case.id,
        subject_id=entity.id,
        property=prop.name,
        value_type=prop.type,
        qualifier=qualifier or ("exact" if prop.type == "number" else None),
        source_id=src.id,
        locator=Text(max_length=256).parse("locator", locator),
        status=Term("claim_statuses", required=True).parse("status", status),
        note=Text().parse("note", note),
        author=actor_of(session),
        **_typed_value(session, case, prop, value),
    )
    session.add(claim)
    session.flush()
    return claim


def set_status(session: Session, claim: Claim, status: str, note: str | None = None) -> Claim:
    if claim.deleted_at is not None:
        raise Conflict(f"claim {claim.id} is withdrawn")
    claim.status = str(Term("claim_statuses", required=True).parse("status", status))
    if note is not None:
        claim.note = Text().parse("note", note)
    session.flush()
    return claim


def withdraw(session: Session, claim: Claim) -> Claim:
    if claim.deleted_at is not None:
        raise Conflict(f"claim {claim.id} is already withdrawn")
    claim.deleted_at = utcnow()
    session.flush()
    return claim


def get_claim(session: Session, ref: str) -> Claim:
    claim = session.scalar(select(Claim).where(Claim.id == (ref or "").strip()))
    if claim is None:
        raise NotFound(f"no claim {ref!r}")
    return claim


@cache
def _claims_about_statement() -> Select[Claim]:
    """Built once (a record page asks it on every read): the subject's id is a parameter."""
    return (
        select(Claim)
        .where(
            Claim.subject_id == bindparam("subject_id", type_=String), Claim.deleted_at.is_(None)
        )
        .order_by(Claim.property, Claim.created_at, Claim.id)
    )


def claims_about(session: Session, entity: Entity) -> list[Claim]:
    return list(session.scalars(_claims_about_statement(), {"subject_id": entity.id}))


@dataclass
class PropertyClaims:
    """All live claims about one property of one entity, grouped by status."""

    prop: Property
    claims: list[Claim] = field(default_factory=list)

    @property
    def accepted(self) -> list[Claim]:
        return [c for c in self.claims if c.status == "accepted"]

    @property
    def values(self) -> list[str]:
        return sorted({c.value_text for c in self.claims})

    @property
    def in_dispute(self) -> bool:
        """True when sources disagree on the value, or any claim is marked disputed."""
        return len(self.values) > 1 or any(c.status == "disputed" for c in self.claims)


def property_claims(session: Session, entity: Entity) -> list[PropertyClaims]:
    """The entity's claims grouped by property, in the order the property schema declares."""
    declared = properties().get(entity.kind, {})
    groups: dict[str, PropertyClaims] = {}
    for claim in claims_about(session, entity):
        prop = declared.get(claim.property) or Property(
            name=claim.property, type=claim.value_type, en=claim.property, ar=claim.property
        )  # a property since removed from the schema: shown under its own name, never hidden
        groups.setdefault(claim.property, PropertyClaims(prop)).claims.append(claim)
    order = [*declared, *sorted(set(groups) - set(declared))]
    return [groups[name] for name in order if name in groups]
