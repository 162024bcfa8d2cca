"""The audit trail: who logged in, failed to, read a confidential value, exported, changed a
permission or touched a key: appended, hash-chained, never changed.

Each entry's hash is the RFC 6962 leaf hash (:func:`dalil.evidence.merkle.leaf_hash`) of the
canonical JSON of the entry including the previous entry's hash, so altering, inserting or removing
an entry breaks the chain from there on; :func:`root` gives a Merkle root of all entries to write
down or publish, so even someone who rewrites the whole chain is caught against an earlier root.
Appends are serialised by locking the single ``audit_head`` row. This module must never record a
password, token, key or confidential value: ``detail`` holds ids, names of fields and outcomes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.db.models_access import AuditEntry, AuditHead
from dalil.db.types import utcnow
from dalil.evidence.merkle import canonical_json, leaf_hash, root_hash

GENESIS = "0" * 64
ACTIONS = frozenset(
    {
        "login",
        "login_failed",
        "logout",
        "confidential_read",
        "confidential_write",
        "export",
        "role_grant",
        "role_revoke",
        "user_add",
        "user_disable",
        "user_2fa_reset",
        "token_create",
        "token_revoke",
        "key_create",
        "key_rotate",
        "audit_read",
    }
)
FORBIDDEN_DETAIL_WORDS = ("password", "secret", "plaintext", "token_value", "code")


def _entry_hash(
    seq: int, at: datetime, actor: str, action: str, case_id: str | None, detail: Any, prev: str
) -> str:
    body = {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "case": case_id,
        "detail": detail,
        "prev": prev,
    }
    return leaf_hash(canonical_json(body)).hex()


def record(
    session: Session,
    actor: str,
    action: str,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (so it commits with what it records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    detail = dict(detail or {})
    if any(word in key for key in detail for word in FORBIDDEN_DETAIL_WORDS):
        raise ValueError("audit detail must not hold secrets")
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, size=0, head_hash=GENESIS)
        session.add(head)
    when = (at or utcnow()).replace(microsecond=0)
    entry = AuditEntry(
        seq=head.size,
        at=when,
        actor=actor,
        action=action,
        case_id=case_id,
        detail=detail,
        prev_hash=head.head_hash,
        entry_hash=_entry_hash(head.size, when, actor, action, case_id, detail, head.head_hash),
    )
    session.add(entry)
    head.size += 1
    head.head_hash = entry.entry_hash
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    size: int
    root: str
    problems: list[str]


def verify(session: Session) -> Verification:
    """Recompute the chain; report every entry whose hash, link or position is wrong."""
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    head = session.get(AuditHead, 1)
    problems: list[str] = []
    prev = GENESIS
    for position, entry in enumerate(entries):
        if entry.seq != position:
            problems.append(f"entry {position} is missing (next is {entry.seq})")
        if entry.prev_hash != prev:
            problems.append(f"entry {entry.seq} does not follow the entry before it")
        expected = _entry_hash(
            entry.seq, entry.at, entry.actor, entry.action, entry.case_id, entry.detail,
            entry.prev_hash,
        )  # fmt: skip
        if expected != entry.entry_hash:
            problems.append(f"entry {entry.seq} was altered")
        prev = entry.entry_hash
    size = head.size if head is not None else 0
    if size != len(entries) or (head is not None and head.head_hash != prev):
        problems.append(f"the trail should hold {size} entries ending in the head hash")
    return Verification(not problems, len(entries), root(session), problems)


def root(session: Session) -> str:
    """The RFC 6962 Merkle root over all entry hashes (hex): write it down to detect a rewrite."""
    hashes = [
        bytes.fromhex(h)
        for h in session.scalars(select(AuditEntry.entry_hash).order_by(AuditEntry.seq))
    ]
    return root_hash(hashes).hex()


def entries(
    session: Session, case_id: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """The latest entries (of one case when given), oldest first, as plain dicts."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    rows = list(session.scalars(query))[::-1]
    return [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "case_id": e.case_id,
            "detail": e.detail,
            "hash": e.entry_hash,
        }
        for e in rows
    ]
