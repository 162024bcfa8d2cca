"""Roles in cases: grant, revoke, list, and the :class:`Principal` a user or token acts as.

Every change is audited. This module decides nothing itself: permission questions go to
:func:`dalil.access.policy.decide`; it must never give a token more than its user now holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access import audit
from dalil.access.policy import Principal, policy, require
from dalil.db import Case
from dalil.db.models_access import Membership, User
from dalil.errors import InvalidInput, NotFound


def _check_role(role: str) -> str:
    if role not in policy().roles:
        raise InvalidInput(
            "role", f"{role!r} is not a role; use one of {', '.join(policy().roles)}"
        )
    return role


def grant(
    session: Session, by: Principal, case: Case, user: User, role: str, now: datetime | None = None
) -> None:
    """Give ``user`` ``role`` in ``case`` (replacing any role they had there)."""
    require(by, "roles.manage", case.id, "confidential")
    _check_role(role)
    row = session.get(Membership, (case.id, user.id))
    before = None if row is None else row.role
    if row is None:
        session.add(Membership(case_id=case.id, user_id=user.id, role=role, granted_by=by.name))
    else:
        row.role, row.granted_by = role, by.name
    detail = {"user": user.name, "role": role, "before": before}
    audit.record(session, by.name, "role_grant", case.id, detail, at=now)


def revoke(session: Session, by: Principal, case: Case, user: User) -> None:
    require(by, "roles.manage", case.id, "confidential")
    row = session.get(Membership, (case.id, user.id))
    if row is None:
        raise NotFound(f"{user.name} has no role in {case.slug}")
    detail = {"user": user.name, "before": row.role}
    session.delete(row)
    audit.record(session, by.name, "role_revoke", case.id, detail)


def members(session: Session, case: Case) -> list[dict[str, object]]:
    rows = session.execute(
        select(User.name, Membership.role, Membership.granted_by, Membership.granted_at)
        .join(User, User.id == Membership.user_id)
        .where(Membership.case_id == case.id)
        .order_by(User.name)
    )
    return [
        {"user": name, "role": role, "granted_by": by, "granted_at": at.isoformat()}
        for name, role, by, at in rows
    ]


def principal_for(session: Session, user: User) -> Principal:
    """The principal a logged-in user acts as: their roles in every case, admin or not."""
    rows = session.scalars(select(Membership).where(Membership.user_id == user.id))
    return Principal(
        name=user.name,
        via="session",
        user_id=user.id,
        is_admin=user.is_admin,
        roles={m.case_id: m.role for m in rows},
    )
