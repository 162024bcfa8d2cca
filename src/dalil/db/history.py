"""The change trail: every create, update, delete and restore of a record, written automatically.

A hook on the session turns each flush into :class:`~dalil.db.models.Change` rows (who, when,
before, after), so no engine can forget to record a change. Cases, entities and claims are never
hard-deleted: a flush that tries is refused unless it is an explicit purge (see
:func:`dalil.documentation.purge.purge`), which records itself and redacts what it removed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

from dalil.db.models import Base, Case, Claim, Entity, IncidentViolation, PersonName
from dalil.db.types import utcnow
from dalil.errors import Conflict
from dalil.values import PartialDate

NEVER_DELETED = (Case, Entity, Claim)
TRACKED = (Case, Entity, Claim, PersonName, IncidentViolation)
# Bookkeeping columns: the Change row itself says who and when.
SKIPPED = {"created_at", "created_by", "updated_at", "updated_by"}

ACTOR_KEY = "dalil.actor"
PURGE_KEY = "dalil.purge_reason"
OLD_KEY = "dalil.old_values"


def jsonable(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _columns(obj: object) -> list[str]:
    return [a.key for a in instance_state(obj).mapper.column_attrs if a.key not in SKIPPED]


def snapshot(obj: object) -> dict[str, Any]:
    """The record's current column values, as JSON."""
    return {key: jsonable(getattr(obj, key)) for key in _columns(obj)}


def _before(session: Session, obj: object) -> dict[str, Any]:
    """Column values as they were before this flush (old values fetched in ``_capture_old``)."""
    state = instance_state(obj)
    fetched = session.info.get(OLD_KEY, {}).get(id(obj), {})
    values = {}
    for key in _columns(obj):
        hist = state.attrs[key].history
        if hist.deleted:
            values[key] = jsonable(hist.deleted[0])
        elif key in fetched:
            values[key] = jsonable(fetched[key])
        else:  # unchanged in this flush: the current value is the old one
            values[key] = jsonable(getattr(obj, key))
    return values


def _capture_old(session: Session) -> None:
    """Read from the database the old value of any attribute changed without being loaded.

    SQLAlchemy does not load a column's old value when it is assigned before being read; the
    trail must still say what it was.
    """
    old: dict[int, dict[str, Any]] = {}
    for obj in session.dirty:
        if not isinstance(obj, TRACKED):
            continue
        state = instance_state(obj)
        for key in _columns(obj):
            hist = state.attrs[key].history
            if hist.added and not hist.deleted and not hist.unchanged:
                column = state.mapper.columns[key]
                table = column.table
                (pk,) = table.primary_key.columns
                value = session.connection().scalar(
                    select(column).where(pk == state.identity[0])  # type: ignore[index]
                )
                old.setdefault(id(obj), {})[key] = value
    session.info[OLD_KEY] = old


def _owner(session: Session, obj: object) -> tuple[str | None, str, str]:
    """(case id, entity id the change is filed under, row id)."""
    if isinstance(obj, Case):
        return obj.id, obj.id, obj.id
    if isinstance(obj, Entity):
        return obj.case_id, obj.id, obj.id
    if isinstance(obj, Claim):
        return obj.case_id, obj.subject_id, obj.id
    if isinstance(obj, PersonName):
        parent, row = obj.person_id, obj.id
    else:
        assert isinstance(obj, IncidentViolation)
        parent, row = obj.incident_id, f"{obj.incident_id}/{obj.violation_type}"
    owner = session.get(Entity, parent)  # in the identity map in practice: no query
    return (owner.case_id if owner is not None else None), parent, row


def _action(obj: object) -> str:
    hist = (
        instance_state(obj).attrs["deleted_at"].history if isinstance(obj, NEVER_DELETED) else None
    )
    if hist is not None and hist.has_changes():
        was = hist.deleted[0] if hist.deleted else None
        now = hist.added[0] if hist.added else None
        if was is None and now is not None:
            return "delete"
        if was is not None and now is None:
            return "restore"
    return "update"


def _before_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    _capture_old(session)
    if session.info.get(PURGE_KEY):
        return
    for obj in session.deleted:
        if isinstance(obj, NEVER_DELETED):
            raise Conflict(
                f"{type(obj).__name__.lower()} {obj.id} cannot be deleted outright: records are "
                "soft-deleted, and removed only by an explicit, audited purge"
            )


def _record(session: Session, flush_context: UOWTransaction) -> None:
    changes: list[dict[str, Any]] = []
    actor = session.info.get(ACTOR_KEY)
    purge_reason = session.info.get(PURGE_KEY)
    now = utcnow()
    pending = [(o, "create") for o in session.new] + [(o, "update") for o in session.dirty]
    pending += [(o, "purge" if purge_reason else "delete") for o in session.deleted]
    for obj, kind in pending:
        if not isinstance(obj, TRACKED):
            continue
        if kind == "update" and not session.is_modified(obj, include_collections=False):
            continue
        if not actor:
            raise Conflict("a change needs an actor: open the session with Database.transaction")
        case_id, entity_id, row_id = _owner(session, obj)
        before: dict[str, Any] | None
        after: dict[str, Any] | None
        if kind == "create":
            action, before, after = "create", None, snapshot(obj)
        elif kind == "update":
            action, before, after = _action(obj), _before(session, obj), snapshot(obj)
            after = {k: v for k, v in after.items() if before.get(k) != v}
            before = {k: before.get(k) for k in after}
            if not after:
                continue  # touched but unchanged (e.g. only updated_by): nothing to record
        elif kind == "purge":
            action, before, after = "purge", None, None  # what was purged is not kept
        else:
            action, before, after = "delete", _before(session, obj), None
        changes.append(
            {
                "case_id": case_id,
                "entity_id": entity_id,
                "table_name": cast(Table, instance_state(obj).mapper.local_table).name,
                "row_id": row_id,
                "action": action,
                "actor": actor,
                "at": now,
                "before": before,
                "after": after,
                "reason": purge_reason if action == "purge" else None,
            }
        )
    session.info.pop(OLD_KEY, None)
    if changes:
        session.connection().execute(Base.metadata.tables["history"].insert(), changes)


def install(session_class: type[Session]) -> None:
    """Attach the history hooks to a session class (done once by :class:`Database`)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _record)
