"""The audit trail: who logged in, failed to, read a confidential value, exported, changed a
permission or touched a key: appended, hash-chained, never changed.

Each entry's hash is the RFC 6962 leaf hash (:func:`dalil.evidence.merkle.leaf_hash`) of the
canonical JSON of the entry including the previous entry's hash, so altering, inserting or removing
an entry breaks the chain from there on; :func:`root` gives a Merkle root of all entries to write
down or publish, so even someone who rewrites the whole chain is caught against an earlier root.
Appends are serialised by locking the single ``audit_head`` row. :func:`checkpoint` signs the
trail's size and root with the installation's Ed25519 key (the evidence log's, as a C2SP signed
note with origin ``<key name>/audit``) and appends it as an ``audit_checkpoint`` entry;
:func:`verify_checkpoints` checks every such entry's signature and that the trail still has the
root it signed, so a rewrite needs the private key as well as the database. This module must never
record a password, token, key or confidential value: ``detail`` holds ids, names of fields and
outcomes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.db.models_access import AuditEntry, AuditHead
from dalil.db.types import utcnow
from dalil.evidence.merkle import canonical_json, leaf_hash, root_hash

if TYPE_CHECKING:
    from dalil.evidence.keys import LogKey

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
        "audit_checkpoint",
        "evidence_download",
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


def origin_of(key: LogKey) -> str:
    """The origin line of the audit trail's checkpoints (distinct from the custody log's)."""
    return f"{key.origin}/audit"


def _root_of_first(session: Session, size: int) -> bytes:
    hashes = [
        bytes.fromhex(h)
        for h in session.scalars(
            select(AuditEntry.entry_hash).where(AuditEntry.seq < size).order_by(AuditEntry.seq)
        )
    ]
    return root_hash(hashes)


def checkpoint(session: Session, key: LogKey, actor: str) -> dict[str, Any]:
    """Sign the trail as it stands (size and Merkle root) and append the note as an entry."""
    from dalil.evidence import checkpoint as notes

    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    size = 0 if head is None else head.size
    top = _root_of_first(session, size)
    note = notes.sign_note(
        notes.checkpoint_body(origin_of(key), size, top), key.name, key.public_key, key.sign
    )
    detail = {"size": size, "root": top.hex(), "note": note, "verifier": key.verifier_key}
    entry = record(session, actor, "audit_checkpoint", None, detail)
    return {"seq": entry.seq, "size": size, "root": top.hex(), "note": note}


def verify_checkpoints(
    session: Session, key: LogKey, extra_notes: list[str] | None = None
) -> tuple[int, list[str]]:
    """(checkpoints checked, problems): every stored checkpoint and every note given must be
    signed by ``key`` and match the trail's root at its size."""
    from dalil.evidence import checkpoint as notes

    stored = [
        (f"checkpoint entry {e.seq}", str(e.detail.get("note", "")))
        for e in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "audit_checkpoint")
            .order_by(AuditEntry.seq)
        )
    ]
    given = [(f"given checkpoint {i + 1}", n) for i, n in enumerate(extra_notes or [])]
    head = session.get(AuditHead, 1)
    length = 0 if head is None else head.size
    problems: list[str] = []
    for name, note in stored + given:
        try:
            signed = notes.open_checkpoint(note, [key.verifier], origin_of(key))
        except notes.CheckpointError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if signed.size > length:
            problems.append(f"{name}: signed {signed.size} entries, the trail has {length}")
        elif _root_of_first(session, signed.size) != signed.root_hash:
            problems.append(f"{name}: the first {signed.size} entries were changed since")
    return len(stored) + len(given), problems
