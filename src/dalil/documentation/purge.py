"""The one way to remove a record for good: an explicit, audited purge.

Purging exists for data that must not be kept (a witness's identity entered in error, a record
that puts someone at risk). It only takes a record that was soft-deleted first, removes the record,
its names, claims and relations, redacts their earlier before/after values from history, and
records who purged what, when and why. Nothing else in Dalil hard-deletes.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from dalil.db import Change, Claim, Entity, Incident, Place, Relation, Source
from dalil.db.history import PURGE_KEY
from dalil.documentation.fields import Text
from dalil.errors import Conflict


def purge(session: Session, entity: Entity, reason: str) -> list[str]:
    """Remove ``entity`` (already soft-deleted) and what hangs on it; returns the removed IDs."""
    why = Text(required=True, max_length=2000).parse("reason", reason)
    if entity.deleted_at is None:
        raise Conflict(f"{entity.id} is live: delete it first, then purge it")
    if isinstance(entity, Source):
        cited = session.scalar(
            select(func.count()).select_from(Claim).where(Claim.source_id == entity.id)
        )
        if cited:
            raise Conflict(
                f"source {entity.id} is cited by {cited} claim(s); purge or re-source them first"
            )
    if isinstance(entity, Place):
        users = (
            session.scalar(
                select(func.count()).select_from(Incident).where(Incident.place_id == entity.id)
            )
            or 0
        )
        users += (
            session.scalar(
                select(func.count()).select_from(Place).where(Place.parent_id == entity.id)
            )
            or 0
        )
        if users:
            raise Conflict(
                f"place {entity.id} is still used by {users} incident(s) or place(s); "
                "move them first"
            )
    relations = list(
        session.scalars(
            select(Relation).where(
                or_(Relation.subject_id == entity.id, Relation.object_id == entity.id)
            )
        )
    )
    doomed: list[Entity] = [*relations, entity]
    ids = [e.id for e in doomed]
    claims = list(
        session.scalars(
            select(Claim).where(or_(Claim.subject_id.in_(ids), Claim.value_ref.in_(ids)))
        )
    )
    session.info[PURGE_KEY] = why
    try:
        for claim in claims:
            session.delete(claim)
        session.flush()
        for doomed_entity in doomed:
            session.delete(doomed_entity)
            session.flush()
        removed = ids + [c.id for c in claims]
        # Earlier changes may hold the purged values: keep that they happened, not what they were.
        session.execute(
            update(Change)
            .where(
                or_(Change.entity_id.in_(removed), Change.row_id.in_(removed)),
                Change.action != "purge",
            )
            .values(before=None, after=None)
        )
    finally:
        session.info.pop(PURGE_KEY, None)
    return removed
