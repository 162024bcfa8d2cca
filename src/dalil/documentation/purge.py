"""The one way to remove a record for good: an explicit, audited purge.

Purging exists for data that must not be kept (a witness's identity entered in error, a record
that puts someone at risk). It only takes a record that was soft-deleted first, removes the record,
its names, claims and relations, redacts their earlier before/after values from history, and
records who purged what, when and why. Nothing else in Dalil hard-deletes.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from dalil.db import Base, Change, Claim, Entity, Relation, Source
from dalil.db.history import PURGE_KEY
from dalil.documentation.fields import Text
from dalil.errors import Conflict

ENTITY_TABLES = {
    "entities",
    "places",
    "incidents",
    "persons",
    "organisations",
    "sources",
    "relations",
}
CHILD_TABLES = {"person_names", "incident_violations"}


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
            _refuse_if_referenced(session, doomed_entity.id)
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


def _refuse_if_referenced(session: Session, entity_id: str) -> None:
    """Refuse to purge a record that any other row still points at (any package's tables).

    Found through the foreign keys in the metadata, so tables added by other capabilities
    (evidence items citing a source, postings, positioning citations…) are covered too.
    """
    users: list[str] = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.name != "id" or fk.column.table.name not in ENTITY_TABLES:
                continue
            if fk.parent.primary_key or table.name in CHILD_TABLES:
                continue  # the record's own parts (extension rows, names) go with it
            query = select(func.count()).select_from(table).where(fk.parent == entity_id)
            if "id" in table.c and table.name in ENTITY_TABLES:
                query = query.where(table.c.id != entity_id)  # its own row is not a user
            count = session.scalar(query) or 0
            if count:
                users.append(f"{table.name}.{fk.parent.name} ({count})")
    if users:
        raise Conflict(
            f"{entity_id} is still referred to by {', '.join(sorted(set(users)))}; "
            "move or purge those first"
        )
