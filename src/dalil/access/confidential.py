"""Confidential values: encrypted per case, read only through the policy, every read audited.

Each case has one active AES-256 data key, wrapped by the master key; a value is sealed with
associated data (case, record, field, key id) so it cannot be moved. :func:`rotate` re-wraps every
data key under a new master key (and, optionally, re-encrypts every value under new data keys) in
the caller's one transaction. This module must never log, print or put into an exception a
plaintext or a key, and never returns a plaintext to a principal the policy refuses.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access import audit
from dalil.access.crypto import KEY_BYTES, MasterKey, aad, open_sealed, seal, unwrap, wrap
from dalil.access.policy import Principal, require
from dalil.db import new_id
from dalil.db.models_access import CaseKey, ConfidentialValue
from dalil.db.types import utcnow
from dalil.errors import InvalidInput, NotFound


def _key_context(case_id: str, key_id: str) -> bytes:
    return aad("dalil/data-key/v1", case_id, key_id)


def _value_context(case_id: str, record_id: str, field: str, key_id: str) -> bytes:
    return aad("dalil/value/v1", case_id, record_id, field, key_id)


def _new_key(
    session: Session, master: MasterKey, case_id: str, actor: str
) -> tuple[CaseKey, bytes]:
    key_id = new_id("data_key")
    data_key = secrets.token_bytes(KEY_BYTES)
    row = CaseKey(
        id=key_id,
        case_id=case_id,
        wrapped=wrap(master, data_key, _key_context(case_id, key_id)),
        master_key_id=master.key_id,
        active=True,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "key_create", case_id, {"key_id": key_id})
    return row, data_key


def _data_key(session: Session, master: MasterKey, row: CaseKey) -> bytes:
    return unwrap(master, row.wrapped, _key_context(row.case_id, row.id))


def _active_key(
    session: Session, master: MasterKey, case_id: str, actor: str
) -> tuple[CaseKey, bytes]:
    row = session.scalars(
        select(CaseKey).where(CaseKey.case_id == case_id, CaseKey.active.is_(True))
    ).first()
    if row is None:
        return _new_key(session, master, case_id, actor)
    return row, _data_key(session, master, row)


def put_confidential(
    session: Session,
    master: MasterKey,
    principal: Principal,
    case_id: str,
    record_id: str,
    field: str,
    value: str,
) -> None:
    """Store (or replace) the confidential ``field`` of ``record_id``, encrypted."""
    require(principal, "write", case_id, "confidential")
    if not field or len(field) > 64:
        raise InvalidInput("field", "a field name of 1–64 characters")
    key, data_key = _active_key(session, master, case_id, principal.name)
    nonce, sealed = seal(
        data_key, value.encode("utf-8"), _value_context(case_id, record_id, field, key.id)
    )
    row = session.scalars(
        select(ConfidentialValue).where(
            ConfidentialValue.case_id == case_id,
            ConfidentialValue.record_id == record_id,
            ConfidentialValue.field == field,
        )
    ).first()
    if row is None:
        row = ConfidentialValue(case_id=case_id, record_id=record_id, field=field)
        session.add(row)
    row.key_id, row.nonce, row.ciphertext = key.id, nonce, sealed
    row.updated_at, row.updated_by = utcnow(), principal.name
    detail = {"record": record_id, "field": field}
    audit.record(session, principal.name, "confidential_write", case_id, detail)


def read_confidential(
    session: Session,
    master: MasterKey,
    principal: Principal,
    case_id: str,
    record_id: str,
    field: str,
    *,
    action: str = "read",
) -> str:
    """The plaintext, after the policy allows ``action`` at confidential; the read is audited.

    ``action`` is ``read`` for case records or ``missing.read`` for missing-person reports and
    family contacts (the family liaison's scope). Must run in a write transaction: the audit entry
    commits with the read, and if it cannot be written the value is not returned.
    """
    require(principal, action, case_id, "confidential")
    row = session.scalars(
        select(ConfidentialValue).where(
            ConfidentialValue.case_id == case_id,
            ConfidentialValue.record_id == record_id,
            ConfidentialValue.field == field,
        )
    ).first()
    if row is None:
        raise NotFound(f"no confidential {field} for {record_id}")
    key = session.get(CaseKey, row.key_id)
    if key is None or key.case_id != case_id:
        raise NotFound(f"no confidential {field} for {record_id}")
    data_key = _data_key(session, master, key)
    context = _value_context(case_id, record_id, field, key.id)
    plaintext = open_sealed(data_key, row.nonce, row.ciphertext, context).decode("utf-8")
    detail = {"record": record_id, "field": field, "via": principal.via}
    audit.record(session, principal.name, "confidential_read", case_id, detail)
    return plaintext


def fields_of(session: Session, case_id: str, record_id: str) -> list[str]:
    """The names (never the values) of a record's confidential fields."""
    query = select(ConfidentialValue.field).where(
        ConfidentialValue.case_id == case_id, ConfidentialValue.record_id == record_id
    )
    return sorted(session.scalars(query))


def rotate(
    session: Session,
    old: MasterKey,
    new: MasterKey,
    actor: str,
    *,
    reencrypt: bool = False,
    now: datetime | None = None,
) -> dict[str, int]:
    """Re-wrap every data key under ``new``; with ``reencrypt``, new data keys for every value.

    All in the caller's transaction: a failure half-way (e.g. a key ``old`` cannot unwrap) leaves
    everything as it was. Retired data keys are deleted once no value uses them.
    """
    counts = {"rewrapped": 0, "reencrypted": 0, "retired": 0}
    keys = list(session.scalars(select(CaseKey).order_by(CaseKey.case_id, CaseKey.id)))
    plain = {k.id: _data_key(session, old, k) for k in keys}  # fails early on a wrong old key
    for key in keys:
        key.wrapped = wrap(new, plain[key.id], _key_context(key.case_id, key.id))
        key.master_key_id = new.key_id
        counts["rewrapped"] += 1
    if reencrypt:
        fresh: dict[str, tuple[CaseKey, bytes]] = {}
        for key in keys:
            key.active = False
        values = session.scalars(select(ConfidentialValue).order_by(ConfidentialValue.id))
        for value in list(values):
            old_key = plain[value.key_id]
            text = open_sealed(
                old_key, value.nonce, value.ciphertext,
                _value_context(value.case_id, value.record_id, value.field, value.key_id),
            )  # fmt: skip
            if value.case_id not in fresh:
                fresh[value.case_id] = _new_key(session, new, value.case_id, actor)
            key, data_key = fresh[value.case_id]
            context = _value_context(value.case_id, value.record_id, value.field, key.id)
            value.nonce, value.ciphertext = seal(data_key, text, context)
            value.key_id = key.id
            counts["reencrypted"] += 1
        session.flush()
        for key in keys:
            session.delete(key)
            counts["retired"] += 1
    session.flush()
    detail = {"old_master": old.key_id, "new_master": new.key_id, **counts}
    audit.record(session, actor, "key_rotate", None, detail, at=now)
    return counts


def key_status(session: Session) -> list[dict[str, object]]:
    """Per data key: case, master key id, active, how many values it encrypts (no key material)."""
    rows = []
    for key in session.scalars(select(CaseKey).order_by(CaseKey.case_id, CaseKey.created_at)):
        count = len(
            list(
                session.scalars(
                    select(ConfidentialValue.id).where(ConfidentialValue.key_id == key.id)
                )
            )
        )
        rows.append(
            {
                "key_id": key.id,
                "case_id": key.case_id,
                "master_key_id": key.master_key_id,
                "active": key.active,
                "values": count,
                "created_at": key.created_at.isoformat(),
            }
        )
    return rows
