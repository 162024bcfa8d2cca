"""Writing units, unit relations, postings and positionings, on the foundation's records.

A unit is an organisation plus a :class:`~dalil.db.models_accountability.UnitDetail`; unit
relations and postings are relations (``parent_unit_of``, ``member_of``, ``commander_of``) plus a
:class:`~dalil.db.models_accountability.LinkDetail`, so their sources are ordinary claims
(``holds``, ``start_date``, ``end_date``) added with :func:`dalil.documentation.add_claim`.
Everything runs in the caller's transaction and is validated by the foundation's field parsers.
Nothing here ever attaches a record to another case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dalil.accountability.vocab import COMMAND_ROLES, require_term
from dalil.db import Case, Organisation, Person, Place, Relation, Source, new_id, stable_id
from dalil.db.models_accountability import (
    END_KINDS,
    POSITIONING_KINDS,
    START_KINDS,
    LinkDetail,
    Positioning,
    PositioningCitation,
    UnitDetail,
)
from dalil.documentation import actor_of, add_relation, create, get_entity
from dalil.documentation.fields import Date, Term, Text, check_date_order
from dalil.errors import InvalidInput

UNIT_LINKS = {"child": "parent_unit_of", "member": "member_of"}


def acc_id(kind: str, *parts: str) -> str:
    """A positioning's or citation's ID: random, or derived from ``parts`` (the demo)."""
    return stable_id(kind, *parts) if parts else new_id(kind)


def _kinds(start_kind: str, end_kind: str) -> tuple[str, str]:
    if start_kind not in START_KINDS:
        raise InvalidInput("start_kind", f"must be one of {', '.join(START_KINDS)}")
    if end_kind not in END_KINDS:
        raise InvalidInput("end_kind", f"must be one of {', '.join(END_KINDS)}")
    return start_kind, end_kind


def set_unit_type(session: Session, case: Case, organisation: str, unit_type: str) -> UnitDetail:
    """Mark an organisation of ``case`` as a unit of ``unit_type`` (or change its type)."""
    org = get_entity(session, organisation, Organisation, case=case)
    term = require_term("unit_types", "unit_type", unit_type)
    actor = actor_of(session)
    detail = session.get(UnitDetail, org.id)
    if detail is None:
        detail = UnitDetail(organisation_id=org.id, unit_type=term, created_by=actor)
        session.add(detail)
    detail.unit_type, detail.updated_by = term, actor
    session.flush()
    return detail


def add_unit(
    session: Session,
    case: Case,
    fields: dict[str, Any],
    unit_type: str,
    *,
    unit_id: str | None = None,
) -> Organisation:
    """A new organisation (``org_type``, ``name_en``/``name_ar``…) that is a unit."""
    org = create(session, case, "organisation", fields, entity_id=unit_id)
    assert isinstance(org, Organisation)
    set_unit_type(session, case, org.id, unit_type)
    return org


def _detail(
    session: Session, relation: Relation, role: str | None, start_kind: str, end_kind: str
) -> LinkDetail:
    actor = actor_of(session)
    start_kind, end_kind = _kinds(start_kind, end_kind)
    detail = session.get(LinkDetail, relation.id)
    if detail is None:
        detail = LinkDetail(relation_id=relation.id, created_by=actor)
        session.add(detail)
    detail.role, detail.start_kind, detail.end_kind = role, start_kind, end_kind
    detail.updated_by = actor
    session.flush()
    return detail


def relate_units(
    session: Session,
    case: Case,
    unit: str,
    other: str,
    *,
    kind: str = "child",
    fields: dict[str, Any] | None = None,
    start_kind: str = "start",
    end_kind: str = "end",
    relation_id: str | None = None,
) -> Relation:
    """``unit`` is a child of (``kind="child"``) or a member of (``"member"``) ``other``.

    A child-of link is stored as ``parent_unit_of`` (other → unit); a unit may have several
    parents, at the same time or one after another.
    """
    if kind not in UNIT_LINKS:
        raise InvalidInput("kind", "must be child (hierarchy) or member (joint operation)")
    child = get_entity(session, unit, Organisation, case=case)
    parent = get_entity(session, other, Organisation, case=case)
    subject, object_ = (parent.id, child.id) if kind == "child" else (child.id, parent.id)
    relation = add_relation(
        session, case, UNIT_LINKS[kind], subject, object_, fields=fields, relation_id=relation_id
    )
    _detail(session, relation, None, start_kind, end_kind)
    return relation


def add_posting(
    session: Session,
    case: Case,
    person: str,
    unit: str,
    *,
    role: str = "commander",
    rank: str | None = None,
    title: str | None = None,
    fields: dict[str, Any] | None = None,
    start_kind: str = "start",
    end_kind: str = "end",
    relation_id: str | None = None,
) -> Relation:
    """A person posted to a unit: ``commander_of`` for commanders, ``member_of`` otherwise."""
    role = require_term("posting_roles", "role", role)
    who = get_entity(session, person, Person, case=case)
    where = get_entity(session, unit, Organisation, case=case)
    attributes = {k: v for k, v in (("rank", rank), ("title", title)) if v}
    relation = add_relation(
        session,
        case,
        "commander_of" if role in COMMAND_ROLES else "member_of",
        who.id,
        where.id,
        attributes=attributes,
        fields=fields,
        relation_id=relation_id,
    )
    _detail(session, relation, role, start_kind, end_kind)
    return relation


def set_date_kinds(
    session: Session, case: Case, relation: str, start_kind: str, end_kind: str
) -> LinkDetail:
    """Say whether an existing relation's dates are real or first/last cited."""
    found = get_entity(session, relation, Relation, case=case)
    role = None
    existing = session.get(LinkDetail, found.id)
    if existing is not None:
        role = existing.role
    elif found.relation_type == "commander_of":
        role = "commander"
    return _detail(session, found, role, start_kind, end_kind)


def add_positioning(
    session: Session,
    case: Case,
    unit: str,
    place: str,
    *,
    kind: str = "base",
    start: str | None = None,
    end: str | None = None,
    start_kind: str = "start",
    end_kind: str = "end",
    sensitivity: str | None = None,
    note: str | None = None,
    positioning_id: str | None = None,
) -> Positioning:
    """A unit's base, or an area it operated in, between two partial dates."""
    if kind not in POSITIONING_KINDS:
        raise InvalidInput("kind", f"must be one of {', '.join(POSITIONING_KINDS)}")
    start_kind, end_kind = _kinds(start_kind, end_kind)
    org = get_entity(session, unit, Organisation, case=case)
    where = get_entity(session, place, Place, case=case)
    start_date, end_date = Date().parse("start", start), Date().parse("end", end)
    check_date_order(start_date, end_date)
    actor = actor_of(session)
    row = Positioning(
        id=positioning_id or acc_id("positioning"),
        case_id=case.id,
        unit_id=org.id,
        place_id=where.id,
        kind=kind,
        start_date=start_date,
        start_kind=start_kind,
        end_date=end_date,
        end_kind=end_kind,
        sensitivity=Term("sensitivity").parse("sensitivity", sensitivity) or "restricted",
        note=Text().parse("note", note),
        created_by=actor,
        updated_by=actor,
    )
    session.add(row)
    session.flush()
    return row


def get_positioning(session: Session, case: Case, ref: str) -> Positioning:
    row = session.get(Positioning, (ref or "").strip())
    if row is None or row.case_id != case.id or row.deleted_at is not None:
        raise InvalidInput("positioning", f"no positioning {ref!r} in case {case.slug}")
    return row


def cite_positioning(
    session: Session,
    case: Case,
    positioning: str,
    source: str,
    *,
    status: str = "unverified",
    locator: str | None = None,
    note: str | None = None,
    citation_id: str | None = None,
) -> PositioningCitation:
    """A source supporting (or, with status ``disputed``, contesting) a positioning."""
    row = get_positioning(session, case, positioning)
    src = get_entity(session, source, Source, case=case)
    citation = PositioningCitation(
        id=citation_id or acc_id("citation"),
        positioning_id=row.id,
        source_id=src.id,
        status=Term("claim_statuses", required=True).parse("status", status),
        locator=Text(max_length=256).parse("locator", locator),
        note=Text().parse("note", note),
        author=actor_of(session),
    )
    session.add(citation)
    session.flush()
    return citation
