"""What a caller may see of a view: the policy's answer applied to every record a view names.

:func:`dalil.access.visible` drops records by their own ``sensitivity`` and by ``levels`` for the
ids it meets under ``id``/``other``/``subject``/``object``. Views also name records elsewhere (a
claim's ``value_ref`` and ``source``, an incident's ``place_id`` and place path); this module
drops those claims and blanks those fields first, so a label of an unreadable record never
reaches the response. It must never widen what :func:`visible` would return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access import Principal, decide, require, visible
from dalil.access.policy import policy
from dalil.db import Entity, Place
from dalil.errors import NotFound


def readable_levels(principal: Principal, case_id: str) -> list[str]:
    """The sensitivity levels the principal may read in the case (empty: no role there)."""
    return [lvl for lvl in policy().levels if decide(principal, "read", case_id, lvl).allowed]


def require_read(principal: Principal, case_id: str, sensitivity: str, missing: str) -> None:
    """:func:`require` read access, answering 404 (``missing``) rather than 403.

    A 403 would confirm that the record exists to someone who may not know it.
    """
    if not decide(principal, "read", case_id, sensitivity).allowed:
        raise NotFound(missing)
    require(principal, "read", case_id, sensitivity)


def levels_of(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Record id → sensitivity; deleted records count as confidential (never shown)."""
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
    # Unknown ids (e.g. purged) are treated as confidential too.
    return {i: levels.get(i, "confidential") for i in wanted}


def _ancestors(session: Session, place_id: str | None) -> list[str]:
    chain: list[str] = []
    while place_id and place_id not in chain:
        chain.append(place_id)
        place = session.get(Place, place_id)
        place_id = place.parent_id if place is not None else None
    return chain


def _referenced(session: Session, view: Mapping[str, Any]) -> list[str]:
    ids: list[str | None] = []
    fields = view.get("fields") or {}
    ids += _ancestors(session, fields.get("place_id"))
    for group in view.get("claims") or []:
        for claim in group.get("claims") or []:
            ids += [claim.get("value_ref"), (claim.get("source") or {}).get("id")]
    for rel in view.get("relations") or []:
        ids += [rel.get("id"), (rel.get("other") or {}).get("id")]
    return [i for i in ids if isinstance(i, str)]


def visible_view(
    session: Session, principal: Principal, case_id: str, view: dict[str, Any], missing: str
) -> dict[str, Any]:
    """The entity view as the principal may see it, or :class:`NotFound` (``missing``)."""
    require_read(principal, case_id, str(view.get("sensitivity")), missing)
    levels = levels_of(session, _referenced(session, view))
    ok = set(readable_levels(principal, case_id))

    def shown(rid: Any) -> bool:
        return rid is None or levels.get(rid, "confidential") in ok

    fields = view.get("fields")
    place_ids = _ancestors(session, fields.get("place_id")) if isinstance(fields, dict) else []
    if isinstance(fields, dict) and not all(shown(p) for p in place_ids):
        fields["place_id"] = None
        fields["place"] = None
    groups = []
    for group in view.get("claims") or []:
        kept = [
            c
            for c in group.get("claims") or []
            if shown(c.get("value_ref")) and shown((c.get("source") or {}).get("id"))
        ]
        if not kept:
            continue
        if len(kept) != len(group.get("claims") or []):
            group["accepted"] = [
                c["value"] for c in kept if c.get("status") == "accepted" and c.get("value")
            ]
            values = {str(c.get("value")) for c in kept}
            group["in_dispute"] = len(values) > 1 or any(
                c.get("status") == "disputed" for c in kept
            )
        group["claims"] = kept
        groups.append(group)
    view["claims"] = groups
    result = visible(principal, case_id, view, levels)
    if result is None:
        raise NotFound(missing)
    return result
