"""TOTP second factor (RFC 6238 via pyotp) and single-use recovery codes.

The TOTP secret is stored encrypted with the master key (associated data names the user); a code
is accepted once (the time step is remembered, so a seen code cannot be replayed). Recovery codes
are 80-bit random and stored as SHA-256. This module must never log or store a secret or a code in
the clear, and compares codes only with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access.crypto import MasterKey, aad, open_sealed, seal
from dalil.db.models_access import RecoveryCode, User

STEP = 30
RECOVERY_CODES = 10
ISSUER = "Dalil"


def _context(user: User) -> bytes:
    return aad("dalil/totp/v1", user.id)


def enroll(master: MasterKey, user: User) -> str:
    """A new TOTP secret for ``user`` (stored encrypted); the otpauth:// URI, shown once."""
    secret = pyotp.random_base32(32)
    nonce, sealed = seal(master.key, secret.encode("ascii"), _context(user))
    user.totp_secret = nonce + sealed
    user.totp_last_step = None
    return pyotp.TOTP(secret).provisioning_uri(name=user.name, issuer_name=ISSUER)


def _secret(master: MasterKey, user: User) -> str:
    assert user.totp_secret is not None
    blob = user.totp_secret
    return open_sealed(master.key, blob[:12], blob[12:], _context(user)).decode("ascii")


def current_code(master: MasterKey, user: User, now: datetime) -> str:
    """The code an authenticator shows at ``now`` (for tests and the enrolment check)."""
    return pyotp.TOTP(_secret(master, user)).at(int(now.timestamp()))


def check_code(master: MasterKey, user: User, code: str, now: datetime) -> bool:
    """True for a code of the current step (±1 for clock drift) not used before; remembers it."""
    if user.totp_secret is None:
        return False
    totp = pyotp.TOTP(_secret(master, user))
    step = int(now.timestamp()) // STEP
    given = code.strip().replace(" ", "")
    matched: int | None = None
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP).encode(), given.encode()):
            matched = candidate
    if matched is None or (user.totp_last_step is not None and matched <= user.totp_last_step):
        return False
    user.totp_last_step = matched
    return True


def _digest(code: str) -> str:
    normal = code.strip().replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normal.encode("ascii", errors="replace")).hexdigest()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with 10 new ones; returns them, to be shown once."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()  # 80 bits
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
        session.add(RecoveryCode(user_id=user.id, code_hash=_digest(codes[-1])))
    return codes


def use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """True when ``code`` is one of the user's unused codes; it is then spent."""
    wanted = _digest(code)
    found: RecoveryCode | None = None
    query = select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    for row in session.scalars(query):
        if hmac.compare_digest(row.code_hash, wanted):
            found = row
    if found is None:
        return False
    found.used_at = now
    return True


def remaining_codes(session: Session, user: User) -> int:
    query = select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return len(list(session.scalars(query)))
