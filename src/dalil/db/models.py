"""The documentation data model: cases and the entities, claims and relations inside them.

After the HURIDOCS Events Standard Formats (events, persons, acts, involvement, information),
Security Force Monitor (units, postings, per-field citations) and Bayanat (actors, bulletins,
incidents). Every documentation record is an :class:`Entity` of one case (joined-table
inheritance), so claims, relations and history can point at any of them with a real foreign key.
Rows here are never hard-deleted outside :mod:`dalil.documentation.purge`; see ``history.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dalil.db.base import ID, TERM, Base, Stamped
from dalil.db.types import utcnow
from dalil.values import PartialDate

ENTITY_KINDS = ("place", "incident", "person", "organisation", "source", "relation")


class Case(Stamped, Base):
    """An investigation workspace; every other record belongs to exactly one."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_en: Mapped[str | None]
    title_ar: Mapped[str | None]
    description: Mapped[str | None]


class Entity(Stamped, Base):
    """What places, incidents, persons, organisations, sources and relations share."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    sensitivity: Mapped[str] = mapped_column(TERM, default="restricted")

    # Loading an entity loads its kind's columns too (one query, and history sees old values).
    __mapper_args__ = {"polymorphic_on": "kind", "with_polymorphic": "*"}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(f"kind IN {ENTITY_KINDS!r}", name="kind"),
        Index(None, "case_id", "kind"),
    )


class Place(Entity):
    """A place in the hierarchy country › governorate › district › neighbourhood › site."""

    __tablename__ = "places"

    id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    place_type: Mapped[str] = mapped_column(TERM)
    name_en: Mapped[str | None]
    name_ar: Mapped[str | None]
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    __mapper_args__ = {"polymorphic_identity": "place", "inherit_condition": id == Entity.id}  # noqa: RUF012


class Incident(Entity):
    """An event: what happened, when (partial dates), where; who was involved comes by relations."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    title_en: Mapped[str | None]
    title_ar: Mapped[str | None]
    start_date: Mapped[PartialDate | None]
    end_date: Mapped[PartialDate | None]
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    description_en: Mapped[str | None]
    description_ar: Mapped[str | None]
    violations: Mapped[list[IncidentViolation]] = relationship(
        cascade="all, delete-orphan", order_by="IncidentViolation.violation_type"
    )

    __mapper_args__ = {"polymorphic_identity": "incident"}  # noqa: RUF012

    @property
    def violation_types(self) -> list[str]:
        return [v.violation_type for v in self.violations]


class IncidentViolation(Base):
    """One violation type of an incident (from the ``violation_types`` vocabulary)."""

    __tablename__ = "incident_violations"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    violation_type: Mapped[str] = mapped_column(TERM, primary_key=True)


class Person(Entity):
    """One individual; their role in an incident comes from relations, not from this row."""

    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    sex: Mapped[str] = mapped_column(TERM, default="unknown")
    birth_date: Mapped[PartialDate | None]
    status: Mapped[str] = mapped_column(TERM, default="unknown")
    status_date: Mapped[PartialDate | None]
    names: Mapped[list[PersonName]] = relationship(
        cascade="all, delete-orphan", order_by="(PersonName.position, PersonName.id)"
    )

    __mapper_args__ = {"polymorphic_identity": "person"}  # noqa: RUF012


class PersonName(Base):
    """A name of a person in one script, in parts; a person has one primary name and any others.

    ``search_key`` is the Arabic-normalised, case-folded text of all parts, for search.
    """

    __tablename__ = "person_names"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(TERM, default="primary")
    script: Mapped[str] = mapped_column(String(8))
    given: Mapped[str | None]
    father: Mapped[str | None]
    grandfather: Mapped[str | None]
    family: Mapped[str | None]
    mother: Mapped[str | None]
    full: Mapped[str]
    search_key: Mapped[str]


class Organisation(Entity):
    """An organisation, including military and security units, militias, NGOs and authorities."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    org_type: Mapped[str] = mapped_column(TERM)
    name_en: Mapped[str | None]
    name_ar: Mapped[str | None]
    abbreviation: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None]

    __mapper_args__ = {"polymorphic_identity": "organisation"}  # noqa: RUF012


class Source(Entity):
    """Where information comes from: a report, testimony, media item, list, statement…"""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    source_type: Mapped[str] = mapped_column(TERM)
    title: Mapped[str]
    author: Mapped[str | None]
    publisher: Mapped[str | None]
    published: Mapped[PartialDate | None]
    language: Mapped[str | None] = mapped_column(TERM)
    url: Mapped[str | None]
    reliability: Mapped[str] = mapped_column(TERM, default="unknown")
    note: Mapped[str | None]

    __mapper_args__ = {"polymorphic_identity": "source"}  # noqa: RUF012


class Relation(Entity):
    """A typed link between two entities (person, organisation or incident), with dates."""

    __tablename__ = "relations"

    id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    relation_type: Mapped[str] = mapped_column(TERM)
    subject_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    object_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    start_date: Mapped[PartialDate | None]
    end_date: Mapped[PartialDate | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None]

    __mapper_args__ = {"polymorphic_identity": "relation", "inherit_condition": id == Entity.id}  # noqa: RUF012


class Claim(Base):
    """A sourced statement of one property's value of one entity.

    Claims never overwrite each other: conflicting claims coexist, and views choose. The value is
    kept as canonical text plus, by type, a number, partial date or entity reference.
    """

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    property: Mapped[str] = mapped_column(String(64))
    value_type: Mapped[str] = mapped_column(String(16))
    value_text: Mapped[str]
    value_number: Mapped[float | None] = mapped_column(Float)
    value_date: Mapped[PartialDate | None]
    value_ref: Mapped[str | None] = mapped_column(ForeignKey("entities.id"))
    qualifier: Mapped[str | None] = mapped_column(TERM)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    locator: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(TERM, default="unverified")
    note: Mapped[str | None]
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        CheckConstraint(
            "value_type IN ('text', 'number', 'date', 'term', 'entity', 'boolean')",
            name="value_type",
        ),
        Index(None, "subject_id", "property"),
    )


class Change(Base):
    """One create, update, delete, restore or purge of a record: who, when, before and after.

    Written by the session hook in ``history.py`` for every flush, never by hand. ``entity_id`` is
    plain text, not a foreign key, so the trail outlives a purge.
    """

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str | None] = mapped_column(ID, index=True)
    entity_id: Mapped[str] = mapped_column(ID, index=True)
    table: Mapped[str] = mapped_column("table_name", String(64))
    row_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None]

    __table_args__ = (
        CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'purge')", name="action"
        ),
    )


__all__ = [
    "ENTITY_KINDS",
    "Base",
    "Case",
    "Change",
    "Claim",
    "Entity",
    "Incident",
    "IncidentViolation",
    "Organisation",
    "Person",
    "PersonName",
    "Place",
    "Relation",
    "Source",
]
