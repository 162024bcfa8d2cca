"""Reading the change trail of a record (written by :mod:`dalil.db.history`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dalil.db import Change
from dalil.errors import InvalidInput, NotFound


def history_of(session: Session, ref: str) -> list[Change]:
    """Every change filed under a record (its own, its names', its claims'), oldest first."""
    ref = (ref or "").strip()
    if len(ref) < 6:
        raise InvalidInput("id", f"{ref!r} is too short to name a record (give its ID)")
    changes = list(
        session.scalars(
            select(Change)
            .where(or_(Change.entity_id == ref, Change.row_id == ref))
            .order_by(Change.id)
        )
    )
    if not changes:
        raise NotFound(f"no history for {ref!r}", hint="give the full ID of a record")
    return changes


def change_view(change: Change) -> dict[str, Any]:
    return {
        "id": change.id,
        "at": change.at.isoformat(),
        "actor": change.actor,
        "action": change.action,
        "table": change.table,
        "row_id": change.row_id,
        "entity_id": change.entity_id,
        "before": change.before,
        "after": change.after,
        "reason": change.reason,
    }
