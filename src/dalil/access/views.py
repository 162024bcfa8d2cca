"""Apply the policy to a documentation view: look up the sensitivity of every record it names.

:func:`dalil.access.policy.visible` decides from levels it is given and never reads the database;
:func:`reference_levels` reads them for an entity view (claims' values and sources, relations and
their other ends, a relation's ends, an incident's place and a place's parent, each place counted
at the level of its most sensitive ancestor, since its path shows their names), and
:func:`visible_view` puts the two together. This module must never widen what :func:`visible`
returns: deleted or unknown records count as confidential.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access.policy import Principal, policy, visible
from dalil.db import Entity, Place


def levels_of(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Record id → sensitivity; deleted and unknown records count as confidential."""
    wanted = sorted({i for i in ids if i})
    levels: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(Entity.id, Entity.sensitivity, Entity.deleted_at).where(
                Entity.id.in_(wanted[start : start + 500])
            )
        )
        for rid, level, deleted in rows:
            levels[rid] = "confidential" if deleted is not None else level
    return {i: levels.get(i, "confidential") for i in wanted}


def _chain(session: Session, place_id: str | None) -> list[str]:
    chain: list[str] = []
    while place_id and place_id not in chain:
        chain.append(place_id)
        place = session.get(Place, place_id)
        place_id = place.parent_id if place is not None else None
    return chain


def _highest(levels: Iterable[str]) -> str:
    order = policy().levels
    ranked = [order.index(lvl) if lvl in order else len(order) - 1 for lvl in levels]
    return order[max(ranked)] if ranked else order[0]


def reference_levels(session: Session, view: Mapping[str, Any]) -> dict[str, str]:
    """The sensitivity of every record ``view`` (an ``entity_view``) names, by id."""
    ids: list[str | None] = []
    fields = view.get("fields") or {}
    ids += [fields.get("subject_id"), fields.get("object_id")]
    for group in view.get("claims") or []:
        for claim in group.get("claims") or []:
            ids += [claim.get("value_ref"), (claim.get("source") or {}).get("id")]
    for rel in view.get("relations") or []:
        ids += [rel.get("id"), (rel.get("other") or {}).get("id")]
    levels = levels_of(session, ids)
    for key in ("place_id", "parent_id"):
        chain = _chain(session, fields.get(key))
        if chain:
            levels[chain[0]] = _highest(levels_of(session, chain).values())
    return levels


def visible_view(
    session: Session, principal: Principal, case_id: str, view: dict[str, Any]
) -> dict[str, Any] | None:
    """The entity view as ``principal`` may see it, or None when it may not see the record."""
    return visible(principal, case_id, view, reference_levels(session, view))
