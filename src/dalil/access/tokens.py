"""API tokens: one case, one role, an expiry; shown once, stored as SHA-256, revocable.

A token never gives more than its user holds at the moment it is used: if the user's role in the
case is revoked or lowered below the token's, or the user is disabled, the token stops working.
This module must never store or log a token in the clear.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, String, and_, bindparam, select
from sqlalchemy.orm import Session

from dalil.access import audit
from dalil.access.policy import Principal, covers, require
from dalil.access.roles import _check_role
from dalil.access.sessions import Unauthenticated, digest
from dalil.access.settings import AccessSettings
from dalil.db import Case, new_id
from dalil.db.models_access import ApiToken, Membership, User
from dalil.db.types import utcnow
from dalil.errors import InvalidInput, NotFound

PREFIX = "dalil_"


@dataclass(frozen=True)
class NewToken:
    """A token just created; ``token`` is printed once and never again."""

    id: str
    token: str
    case: str
    role: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"NewToken(id={self.id!r}, role={self.role!r}, expires_at={self.expires_at})"


def create_token(
    session: Session,
    settings: AccessSettings,
    by: Principal,
    user: User,
    case: Case,
    role: str,
    days: int,
    now: datetime | None = None,
) -> NewToken:
    """A token for ``user`` in ``case`` with ``role``, which the user's own role must cover."""
    now = now or utcnow()
    _check_role(role)
    if not 1 <= days <= settings.token_max_days:
        raise InvalidInput("days", f"must be between 1 and {settings.token_max_days}")
    if by.via != "operator" and by.user_id != user.id:
        require(by, "roles.manage", case.id, "confidential")
    held = session.get(Membership, (case.id, user.id))
    if held is None or not covers(held.role, role):
        raise InvalidInput("role", f"{user.name} does not hold {role} (or more) in {case.slug}")
    raw = PREFIX + secrets.token_urlsafe(32)
    token_id = new_id("token")
    expires = now + timedelta(days=days)
    session.add(
        ApiToken(
            id=token_id, token_hash=digest(raw), user_id=user.id, case_id=case.id, role=role,
            created_at=now, created_by=by.name, expires_at=expires,
        )
    )  # fmt: skip
    detail = {"token_id": token_id, "user": user.name, "role": role, "days": days}
    audit.record(session, by.name, "token_create", case.id, detail, at=now)
    return NewToken(token_id, raw, case.slug, role, expires)


def revoke_token(
    session: Session, by: Principal, token_id: str, now: datetime | None = None
) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    if by.via != "operator" and by.user_id != row.user_id:
        require(by, "roles.manage", row.case_id, "confidential")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
    audit.record(session, by.name, "token_revoke", row.case_id, {"token_id": token_id})


@cache
def _lookup_statement() -> Select[
    str, str, datetime | None, datetime, str, str, datetime | None, str | None
]:
    """The token, its user and the user's present role in its case (built once)."""
    return (
        select(
            ApiToken.case_id,
            ApiToken.role,
            ApiToken.revoked_at,
            ApiToken.expires_at,
            User.id,
            User.name,
            User.disabled_at,
            Membership.role,
        )
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(
            Membership,
            and_(Membership.case_id == ApiToken.case_id, Membership.user_id == ApiToken.user_id),
        )
        .where(ApiToken.token_hash == bindparam("token_hash", type_=String))
    )


def authenticate_token(session: Session, raw: str, now: datetime | None = None) -> Principal:
    """The principal a presented token acts as, or :class:`Unauthenticated`.

    One statement reads the token, its user and the user's present role in the token's case
    (asked on every API request, so it is not three); the checks are the same as ever.
    """
    now = now or utcnow()
    refused = Unauthenticated("the token is not valid", hint="ask for a new token")
    if not raw.startswith(PREFIX):
        raise refused
    # Lookup by the SHA-256 of a 256-bit secret: the index lookup leaks nothing useful.
    row = session.execute(_lookup_statement(), {"token_hash": digest(raw)}).one_or_none()
    if row is None:
        raise refused
    case_id, role, revoked_at, expires_at, user_id, name, disabled_at, held = row
    if revoked_at is not None or now >= expires_at:
        raise refused
    if disabled_at is not None or held is None or not covers(held, role):
        raise refused
    return Principal(name=name, via="token", user_id=user_id, roles={case_id: role})
