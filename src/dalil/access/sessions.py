"""Server-side login sessions: a random 256-bit id in a cookie, only its SHA-256 stored.

A session ends after ``session_idle_minutes`` without use, ``session_lifetime_hours`` after login,
on logout, or when its user is disabled. :func:`cookie` says how an API must set the cookie. This
module must never store or log a session id in the clear.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access.settings import AccessSettings
from dalil.db.models_access import User, UserSession
from dalil.errors import DalilError

COOKIE_NAME = "__Host-dalil_session"  # __Host-: Secure, no Domain, Path=/ (enforced by browsers)


class Unauthenticated(DalilError):
    """No valid session or token; the message never says which check failed."""

    exit_code = 5


def digest(secret: str) -> str:
    """SHA-256 (hex) of a high-entropy secret: enough for session ids and tokens, not passwords."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewSession:
    """A session just created: ``session_id`` goes into the cookie and is never seen again."""

    session_id: str
    user_id: str
    user_name: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"NewSession(user={self.user_name!r}, expires_at={self.expires_at.isoformat()})"


def cookie(settings: AccessSettings, value: str) -> dict[str, Any]:
    """The Set-Cookie attributes an API must use for a session id."""
    return {
        "key": COOKIE_NAME,
        "value": value,
        "secure": True,
        "httponly": True,
        "samesite": "strict",
        "path": "/",
        "max_age": settings.session_lifetime_hours * 3600,
    }


def create_session(
    session: Session, settings: AccessSettings, user: User, now: datetime
) -> NewSession:
    raw = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=settings.session_lifetime_hours)
    session.add(
        UserSession(
            id_hash=digest(raw), user_id=user.id, created_at=now, last_seen_at=now,
            expires_at=expires,
        )
    )  # fmt: skip
    return NewSession(raw, user.id, user.name, expires)


def check_session(session: Session, settings: AccessSettings, raw: str, now: datetime) -> User:
    """The user of a live session (and mark it used), or :class:`Unauthenticated`."""
    row = session.get(UserSession, digest(raw))
    refused = Unauthenticated("not logged in, or the session ended", hint="log in again")
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        raise refused
    if now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        row.revoked_at = now
        raise refused
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        raise refused
    row.last_seen_at = now
    return user


def revoke_session(session: Session, raw: str, now: datetime) -> bool:
    row = session.get(UserSession, digest(raw))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


def revoke_user_sessions(session: Session, user_id: str, now: datetime) -> int:
    rows = session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    )
    count = 0
    for row in rows:
        row.revoked_at = now
        count += 1
    return count
