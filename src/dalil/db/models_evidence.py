"""Tables of the evidence package (issue 3): the custody log and its checkpoints.

Items and blobs are in ``models_evidence_items.py``.

The custody log is an RFC 6962 Merkle tree: ``custody_leaves`` holds each leaf's data (canonical
JSON of one custody event) with a few columns copied out of it for lookups; ``custody_nodes`` holds
the hash of every complete subtree, leaf hashes included (level 0), so that roots and proofs take
O(log n) reads; ``custody_checkpoints`` holds the signed checkpoints. Rows are written by
:mod:`dalil.evidence.log` only and are never updated or deleted: the ORM refuses to (below).
SQL-level tampering cannot be prevented from here; :func:`dalil.evidence.log.verify` detects it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    event,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from dalil.db.base import ID, Base
from dalil.errors import Conflict

# --- custody log ---

# A row id on SQLite (INTEGER PRIMARY KEY: no second index), 64 bits on PostgreSQL.
LEAF_INDEX = BigInteger().with_variant(Integer(), "sqlite")
HASH_BYTES = LargeBinary(32)


class CustodyLeaf(Base):
    """One custody event, leaf ``idx`` of the log (dense from 0). ``data`` is what is hashed.

    ``action``, ``item`` and ``case_id`` are copies of the event's fields for lookups; ``verify``
    checks that they still agree with ``data``.
    """

    __tablename__ = "custody_leaves"

    idx: Mapped[int] = mapped_column(LEAF_INDEX, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    action: Mapped[str] = mapped_column(String(16))
    item: Mapped[str | None] = mapped_column(String(80), index=True)
    case_id: Mapped[str | None] = mapped_column(ID, index=True)


class CustodyNode(Base):
    """The hash of the complete subtree over leaves ``[idx * 2**level, (idx + 1) * 2**level)``."""

    __tablename__ = "custody_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(HASH_BYTES)

    __table_args__ = (CheckConstraint("level >= 0 AND level < 64", name="level"),)


class CustodyCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) of the log at ``tree_size``; ``seq`` is dense."""

    __tablename__ = "custody_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(HASH_BYTES)
    note: Mapped[str]
    created_at: Mapped[datetime]


LOG_MODELS = (CustodyLeaf, CustodyNode, CustodyCheckpoint)


def _refuse_change(mapper: Any, connection: Any, target: object) -> None:
    raise Conflict(
        f"{type(target).__name__} rows are append-only: the custody log never rewrites or "
        "deletes an entry"
    )


def _refuse_bulk_change(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        m.class_ in LOG_MODELS for m in state.all_mappers
    ):
        raise Conflict("the custody log is append-only: bulk UPDATE/DELETE of its rows is refused")


for _model in LOG_MODELS:
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
if not event.contains(Session, "do_orm_execute", _refuse_bulk_change):
    event.listen(Session, "do_orm_execute", _refuse_bulk_change)
