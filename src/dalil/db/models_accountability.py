"""Tables of the accountability package (issue 8): units, postings and positionings over time.

After Security Force Monitor. A *unit* is an :class:`~dalil.db.models.Organisation` plus a
:class:`UnitDetail` row (its unit type). Unit relations (child of, member of) and postings
(person → unit) are ordinary :class:`~dalil.db.models.Relation` rows, so they carry claims and
history; :class:`LinkDetail` adds what SFM records beside them: the posting's role and whether
each date is a real start/end or only the first/last date a source cites. A
:class:`Positioning` (unit → place, base or area of operations) cannot be a relation (relations
never join places), so it is its own row with its own citations, :class:`PositioningCitation`.

Changes to these rows are written to the same ``history`` table as the foundation's, by the hook
at the end of this module. Rows hang off entities with ``ON DELETE CASCADE`` so that the
foundation's audited purge of an organisation, relation, place or source removes them too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CheckConstraint, ForeignKey, String, Table, event
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column
from sqlalchemy.orm.attributes import instance_state

from dalil.db.base import ID, TERM, Base
from dalil.db.engine import DalilSession
from dalil.db.history import ACTOR_KEY, PURGE_KEY, jsonable
from dalil.db.models import Change
from dalil.db.types import utcnow
from dalil.values import PartialDate

START_KINDS = ("start", "first_cited")
END_KINDS = ("end", "last_cited")
POSITIONING_KINDS = ("base", "area_of_operations")


def _fk(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


class _Tracked:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(128))


class UnitDetail(_Tracked, Base):
    """What makes an organisation a unit: its type (branch, division, brigade, militia…)."""

    __tablename__ = "acc_units"

    organisation_id: Mapped[str] = mapped_column(_fk("organisations.id"), primary_key=True)
    unit_type: Mapped[str] = mapped_column(TERM)


class LinkDetail(_Tracked, Base):
    """SFM details of a unit relation or posting: role, and the kind of each date."""

    __tablename__ = "acc_link_details"

    relation_id: Mapped[str] = mapped_column(_fk("relations.id"), primary_key=True)
    role: Mapped[str | None] = mapped_column(TERM)
    start_kind: Mapped[str] = mapped_column(String(16), default="start")
    end_kind: Mapped[str] = mapped_column(String(16), default="end")

    __table_args__ = (
        CheckConstraint(f"start_kind IN {START_KINDS!r}", name="start_kind"),
        CheckConstraint(f"end_kind IN {END_KINDS!r}", name="end_kind"),
    )


class Positioning(_Tracked, Base):
    """A unit at a place: its base, or an area it operated in, between two (partial) dates."""

    __tablename__ = "acc_positionings"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(_fk("cases.id"), index=True)
    unit_id: Mapped[str] = mapped_column(_fk("organisations.id"), index=True)
    place_id: Mapped[str] = mapped_column(_fk("places.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[PartialDate | None]
    start_kind: Mapped[str] = mapped_column(String(16), default="start")
    end_date: Mapped[PartialDate | None]
    end_kind: Mapped[str] = mapped_column(String(16), default="end")
    sensitivity: Mapped[str] = mapped_column(TERM, default="restricted")
    note: Mapped[str | None]
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        CheckConstraint(f"kind IN {POSITIONING_KINDS!r}", name="kind"),
        CheckConstraint(f"start_kind IN {START_KINDS!r}", name="start_kind"),
        CheckConstraint(f"end_kind IN {END_KINDS!r}", name="end_kind"),
    )


class PositioningCitation(Base):
    """One source's support for a positioning, with a status as a claim has."""

    __tablename__ = "acc_positioning_citations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    positioning_id: Mapped[str] = mapped_column(_fk("acc_positionings.id"), index=True)
    source_id: Mapped[str] = mapped_column(_fk("sources.id"), index=True)
    status: Mapped[str] = mapped_column(TERM, default="unverified")
    locator: Mapped[str | None] = mapped_column(String(256))
    note: Mapped[str | None]
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


TRACKED = (UnitDetail, LinkDetail, Positioning, PositioningCitation)
_SKIPPED = {"created_at", "created_by", "updated_at", "updated_by"}


def _owner(session: Session, obj: Any) -> tuple[str | None, str, str]:
    """(case id, entity the change is filed under, row id) — the unit, relation or positioning."""
    from dalil.db.models import Entity

    if isinstance(obj, UnitDetail):
        entity_id, row_id = obj.organisation_id, obj.organisation_id
    elif isinstance(obj, LinkDetail):
        entity_id, row_id = obj.relation_id, obj.relation_id
    elif isinstance(obj, Positioning):
        return obj.case_id, obj.unit_id, obj.id
    else:
        positioning = session.get(Positioning, obj.positioning_id)
        assert positioning is not None
        return positioning.case_id, positioning.unit_id, obj.id
    owner = session.get(Entity, entity_id)
    return (owner.case_id if owner is not None else None), entity_id, row_id


def _record(session: Session, flush_context: UOWTransaction) -> None:
    """Write ``history`` rows for this module's tables, in the foundation's format."""
    if session.info.get(PURGE_KEY):
        return
    rows: list[dict[str, Any]] = []
    pending = [(o, "create") for o in session.new] + [(o, "update") for o in session.dirty]
    for obj, action in pending:
        if not isinstance(obj, TRACKED):
            continue
        state = instance_state(obj)
        keys = [a.key for a in state.mapper.column_attrs if a.key not in _SKIPPED]
        after = {k: jsonable(getattr(obj, k)) for k in keys}
        before: dict[str, Any] | None = None
        if action == "update":
            changed = {k: h for k in keys if (h := state.attrs[k].history).has_changes()}
            if not changed:
                continue
            before = {k: jsonable(h.deleted[0] if h.deleted else None) for k, h in changed.items()}
            after = {k: after[k] for k in changed}
            if "deleted_at" in changed:
                action = "delete" if after["deleted_at"] else "restore"
        case_id, entity_id, row_id = _owner(session, obj)
        rows.append(
            {
                "case_id": case_id,
                "entity_id": entity_id,
                "table_name": cast(Table, state.mapper.local_table).name,
                "row_id": row_id,
                "action": action,
                "actor": session.info.get(ACTOR_KEY) or "unknown",
                "at": utcnow(),
                "before": before,
                "after": after,
                "reason": None,
            }
        )
    if rows:
        session.connection().execute(cast(Table, Change.__table__).insert(), rows)


if not event.contains(DalilSession, "after_flush", _record):
    event.listen(DalilSession, "after_flush", _record)

__all__ = [
    "END_KINDS",
    "POSITIONING_KINDS",
    "START_KINDS",
    "LinkDetail",
    "Positioning",
    "PositioningCitation",
    "UnitDetail",
]
