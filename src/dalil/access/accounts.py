"""Accounts: create, list, disable, reset the second factor, and log in (with lock-out).

Login failures are counted in the database (so every server process sees them), lock the account
for a while after ``lockout_threshold`` in a row, and are audited; a refusal never says which part
was wrong, and an unknown name costs as much time as a known one. This module must never log or
return a password, a TOTP secret or a recovery code except the codes it just created (shown once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access import audit, totp
from dalil.access.crypto import MasterKey
from dalil.access.passwords import burn_time, check_policy, hash_password, verify_password
from dalil.access.sessions import NewSession, create_session, revoke_user_sessions
from dalil.access.settings import AccessSettings
from dalil.db import Database, new_id
from dalil.db.models_access import ApiToken, User
from dalil.db.types import utcnow
from dalil.errors import Conflict, DalilError, InvalidInput, NotFound

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class LoginFailed(DalilError):
    """One message for every reason, so a refusal tells an attacker nothing."""

    exit_code = 5


REFUSED = "login refused: wrong name, password or code, or too many attempts (wait and retry)"


@dataclass(frozen=True)
class Enrolment:
    """What a new account or a 2FA reset shows once: the otpauth URI and the recovery codes."""

    user_id: str
    totp_uri: str | None
    recovery_codes: list[str]


def _user_id() -> str:
    return new_id("user")


def needs_totp(settings: AccessSettings, user: User) -> bool:
    return user.is_admin or settings.totp_policy == "all"


def get_user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name.strip().lower())).first()
    if user is None:
        raise NotFound(f"no user named {name!r}", hint="`dalil user list` shows them")
    return user


def create_user(
    session: Session,
    settings: AccessSettings,
    master: MasterKey | None,
    *,
    name: str,
    password: str,
    actor: str,
    admin: bool = False,
    with_totp: bool = False,
) -> Enrolment:
    """A new account; admins (and everyone when TOTP_POLICY=all) are enrolled in TOTP at once."""
    name = name.strip().lower()
    if not NAME.match(name):
        raise InvalidInput(
            "name", "2–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
        )
    if session.scalars(select(User.id).where(User.name == name)).first() is not None:
        raise Conflict(f"a user named {name!r} exists")
    check_policy(password, name)
    user = User(
        id=_user_id(),
        name=name,
        password_hash=hash_password(settings, password),
        is_admin=admin,
        failed_logins=0,
        created_by=actor,
    )
    session.add(user)
    session.flush()
    enrolment = Enrolment(user.id, None, [])
    if with_totp or needs_totp(settings, user):
        enrolment = reset_second_factor(session, master, user, actor=actor, record=False)
    audit.record(session, actor, "user_add", detail={"user": name, "admin": admin})
    return enrolment


def reset_second_factor(
    session: Session, master: MasterKey | None, user: User, *, actor: str, record: bool = True
) -> Enrolment:
    """A new TOTP secret and 10 new recovery codes (the old ones stop working)."""
    if master is None:
        raise DalilError(
            "a TOTP secret is stored encrypted: the master key is needed",
            hint="set DALIL_MASTER_KEY_FILE (see `dalil keys generate`)",
        )
    uri = totp.enroll(master, user)
    codes = totp.new_recovery_codes(session, user)
    user.failed_logins, user.locked_until = 0, None
    if record:
        audit.record(session, actor, "user_2fa_reset", detail={"user": user.name})
    return Enrolment(user.id, uri, codes)


def disable_user(session: Session, user: User, *, actor: str, now: datetime | None = None) -> None:
    """Disable the account and end its sessions and tokens at once."""
    now = now or utcnow()
    user.disabled_at = now
    revoke_user_sessions(session, user.id, now)
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    audit.record(session, actor, "user_disable", detail={"user": user.name})


def list_users(session: Session) -> list[dict[str, object]]:
    return [
        {
            "id": u.id,
            "name": u.name,
            "admin": u.is_admin,
            "totp": u.totp_secret is not None,
            "recovery_codes_left": totp.remaining_codes(session, u),
            "disabled": u.disabled_at is not None,
            "locked_until": None if u.locked_until is None else u.locked_until.isoformat(),
            "created_at": u.created_at.isoformat(),
        }
        for u in session.scalars(select(User).order_by(User.name))
    ]


def _attempt(
    session: Session,
    settings: AccessSettings,
    master: MasterKey | None,
    name: str,
    password: str,
    factor: str | None,
    now: datetime,
) -> tuple[User | None, bool, str]:
    """(the user named, whether every check passed, why). Writes the failure counters."""
    user = session.scalars(select(User).where(User.name == name.strip().lower())).first()
    if user is None:
        burn_time(settings, password)
        return None, False, "unknown user"  # the attempted name is not kept: it may be a password
    if user.disabled_at is not None:
        burn_time(settings, password)
        return user, False, "disabled"
    if user.locked_until is not None and now < user.locked_until:
        burn_time(settings, password)
        return user, False, "locked"
    ok, new_hash = verify_password(settings, user.password_hash, password)
    reason = "ok" if ok else "password"
    if ok and (user.totp_secret is not None or needs_totp(settings, user)):
        if user.totp_secret is None or master is None:
            ok, reason = False, "second factor not enrolled"
        elif factor is None:
            ok, reason = False, "second factor missing"
        elif "-" in factor or len(factor.strip()) > 8:
            ok = totp.use_recovery_code(session, user, factor, now)
            reason = "ok (recovery code)" if ok else "recovery code"
        else:
            ok = totp.check_code(master, user, factor, now)
            reason = "ok" if ok else "totp"
    if not ok:
        user.failed_logins += 1
        if user.failed_logins >= settings.lockout_threshold:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            reason += "; account locked"
        return user, False, reason
    user.failed_logins, user.locked_until = 0, None
    if new_hash is not None:
        user.password_hash = new_hash
    return user, True, reason


def login(
    db: Database,
    settings: AccessSettings,
    master: MasterKey | None,
    name: str,
    password: str,
    factor: str | None = None,
    *,
    now: datetime | None = None,
) -> NewSession:
    """A new session for a correct name, password and (when needed) TOTP or recovery code.

    Runs its own transaction so that a failure is counted and audited even though it raises
    :class:`LoginFailed` afterwards.
    """
    now = now or utcnow()
    with db.transaction("login") as session:
        user, ok, reason = _attempt(session, settings, master, name, password, factor, now)
        created: NewSession | None = None
        if user is None or not ok:
            who = "(unknown)" if user is None else user.name
            audit.record(session, who, "login_failed", detail={"reason": reason}, at=now)
        else:
            created = create_session(session, settings, user, now)
            audit.record(session, user.name, "login", detail={"how": reason}, at=now)
    if created is None:
        raise LoginFailed(REFUSED)
    return created


__all__ = [
    "Enrolment",
    "LoginFailed",
    "create_user",
    "disable_user",
    "get_user",
    "list_users",
    "login",
    "reset_second_factor",
]
