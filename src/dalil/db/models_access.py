"""Tables of the access package (issue 6): users, memberships, sessions, tokens, keys, audit.

Secrets are never stored in the clear here: passwords as Argon2id hashes, session ids, API tokens
and recovery codes as SHA-256 hashes, TOTP secrets and data keys encrypted, confidential values
as AES-GCM ciphertext. The audit trail is append-only: the ORM refuses to update or delete its
rows (see :func:`_refuse_audit_change`). This module must never hold a key or decrypt anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Delete, Update

from dalil.db.base import ID, Base
from dalil.db.types import utcnow

HASH = String(64)  # SHA-256, hex


class User(Base):
    """An account: a name, an Argon2id hash, an optional (encrypted) TOTP secret, lock-out state."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str]
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))


class RecoveryCode(Base):
    """One single-use recovery code of a user, stored as the SHA-256 of the code."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(HASH)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class Membership(Base):
    """A user's one role in one case."""

    __tablename__ = "memberships"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[str] = mapped_column(String(128))


class UserSession(Base):
    """A server-side login session; ``id_hash`` is the SHA-256 of the cookie value."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiToken(Base):
    """An API token for one case and one role; only the SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    token_hash: Mapped[str] = mapped_column(HASH, unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class CaseKey(Base):
    """A case's AES-256 data key, wrapped (AES-GCM) by the master key named by ``master_key_id``."""

    __tablename__ = "case_keys"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ConfidentialValue(Base):
    """One confidential field of one record, AES-256-GCM encrypted with the case's data key.

    The associated data binds the ciphertext to (case, record, field, key), so a ciphertext copied
    to another row does not decrypt. ``record_id`` has no foreign key: a purge must not be blocked.
    """

    __tablename__ = "confidential_values"
    __table_args__ = (UniqueConstraint("case_id", "record_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    record_id: Mapped[str] = mapped_column(ID, index=True)
    field: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(ForeignKey("case_keys.id"), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    """One entry of the append-only audit trail, chained: ``entry_hash`` covers ``prev_hash``."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(48))
    case_id: Mapped[str | None] = mapped_column(ID, index=True)
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(HASH)
    entry_hash: Mapped[str] = mapped_column(HASH)


class AuditHead(Base):
    """The single row that says how long the trail is and its last hash (serialises appends)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(HASH)


class AuditTampering(RuntimeError):
    """Raised when code tries to change or delete an audit entry through the ORM."""


def _refuse(mapper: Any, connection: Any, target: Any) -> None:
    raise AuditTampering("audit entries are append-only; they are never updated or deleted")


event.listen(AuditEntry, "before_update", _refuse)
event.listen(AuditEntry, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_audit_change(state: Any) -> None:
    """Bulk ``update(AuditEntry)`` / ``delete(AuditEntry)`` through a session is refused too."""
    statement = state.statement
    table = getattr(statement, "table", None) if isinstance(statement, Update | Delete) else None
    if getattr(table, "name", None) == AuditEntry.__tablename__:
        raise AuditTampering("audit entries are append-only; they are never updated or deleted")
