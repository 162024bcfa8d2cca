"""The custody log: an append-only RFC 6962 Merkle log of custody events, in the database.

Every ingest, view, download, copy, analysis, export, transfer and disposition is one leaf whose
data is the canonical JSON of the event (sorted keys, no insignificant whitespace, UTF-8, no NaN).
One log per installation; ``case_id`` and ``item`` are copied out of the event for lookups.
Appends take the log's write lock (SQLite: the database write lock, PostgreSQL: a transaction
advisory lock) so that indexes are dense and the tree is never forked. The hash of every complete
subtree is stored, so :func:`root` and the proofs read O(log n) rows. Checkpoints are signed with
the installation key (:mod:`dalil.evidence.keys`) in the C2SP format (:mod:`.checkpoint`).

This module must never rewrite or delete a leaf, node or checkpoint (the ORM refuses, see
``db/models_evidence.py``), never commit (the caller's transaction does), and never sign a
checkpoint that is inconsistent with the last one. Tampering at the SQL level is not prevented
here: :func:`verify` detects it and names the leaves concerned.

On SQLite, take the lock (:func:`lock` or the first append) before reading anything else in the
same transaction: a transaction that has read cannot later wait for the write lock.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, and_, bindparam, false, func, insert, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from dalil.db.history import ACTOR_KEY
from dalil.db.models_evidence import CustodyCheckpoint, CustodyLeaf, CustodyNode
from dalil.db.types import utcnow
from dalil.errors import Conflict, InvalidInput, NotFound
from dalil.evidence import checkpoint as notes
from dalil.evidence import merkle
from dalil.evidence.keys import LogKey, installation_key
from dalil.evidence.log_verify import Problem, VerifyReport, verify_log
from dalil.evidence.merkle import EMPTY_ROOT, ConsistencyProof, InclusionProof, NodeSource

__all__ = [
    "ACTIONS",
    "ConsistencyProof",
    "InclusionProof",
    "Leaf",
    "LeafRef",
    "LogCheckpoint",
    "Problem",
    "VerifyReport",
    "append",
    "append_many",
    "checkpoint",
    "consistency_proof",
    "find_leaves",
    "get_leaf",
    "inclusion_proof",
    "latest_checkpoint",
    "lock",
    "root",
    "size",
    "verify",
]

ACTIONS = ("ingest", "view", "download", "copy", "analysis", "export", "transfer", "disposition")
MAX_EVENT_BYTES = 1 << 20
_LEAVES = cast(Table, CustodyLeaf.__table__)
_NODES = cast(Table, CustodyNode.__table__)
_CHECKPOINTS = cast(Table, CustodyCheckpoint.__table__)
_LEAF_COLUMNS = ("idx", "data", "action", "item", "case_id")
_LAST_INDEX = select(func.max(_LEAVES.c.idx))
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"dalil custody log").digest()[:8], "big", signed=True)
_PG_LOCK = select(func.pg_advisory_xact_lock(_LOCK_KEY))  # held until the transaction ends
# SQLite: any write takes the database's write lock until commit; this one changes nothing.
_SQLITE_LOCK = update(_CHECKPOINTS).where(false()).values(seq=_CHECKPOINTS.c.seq)
T = TypeVar("T")


@dataclass(frozen=True)
class LeafRef:
    """Where an appended event went: its leaf index and leaf hash."""

    index: int
    leaf_hash: bytes

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "leaf_hash": self.leaf_hash.hex()}


@dataclass(frozen=True)
class Leaf:
    """A stored leaf: its index and the exact bytes that were hashed."""

    index: int
    data: bytes

    @property
    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.data)

    @property
    def event(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.data)
        return value

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "leaf_hash": self.leaf_hash.hex(), "event": self.event}


@dataclass(frozen=True)
class LogCheckpoint:
    """A stored checkpoint: ``note`` is the signed C2SP note; the rest comes from its row."""

    seq: int
    tree_size: int
    root_hash: bytes
    note: str
    created_at: datetime

    @property
    def origin(self) -> str | None:
        try:
            return notes.parse_checkpoint_body(notes.parse_note(self.note)[0])[0]
        except notes.CheckpointError:
            return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "note": self.note,
            "created_at": self.created_at.isoformat(),
        }


def _canonical(record: dict[str, Any]) -> bytes:
    try:
        return merkle.canonical_json(record)
    except (TypeError, ValueError):  # values are not echoed: they may be confidential
        raise InvalidInput(
            "event", "cannot be written as JSON: no bytes, NaN or mixed key types; dates as text"
        ) from None


def _utc_text(value: Any) -> str:
    if value is None:
        return utcnow().isoformat()
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput("time", "must be an ISO 8601 time in UTC") from None
    else:
        raise InvalidInput("time", "must be an ISO 8601 time in UTC")
    if moment.utcoffset() is None or moment.utcoffset():
        raise InvalidInput("time", "must be in UTC (…+00:00 or …Z)")
    return value if isinstance(value, str) else moment.astimezone(UTC).isoformat()


def _prepare(session: Session, event: Mapping[str, Any]) -> tuple[bytes, str, Any, Any]:
    """(leaf data, action, item, case_id) of a checked event."""
    if not isinstance(event, Mapping):
        raise InvalidInput("event", "a custody event is a JSON object")
    record = dict(event)
    if record.get("action") not in ACTIONS:
        raise InvalidInput("action", f"must be one of: {', '.join(ACTIONS)}")
    actor = record.get("actor") or session.info.get(ACTOR_KEY)
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidInput("actor", "a custody event names who acted")
    record["actor"], record["time"] = actor, _utc_text(record.get("time"))
    for field, limit in (("item", 80), ("case_id", 24)):
        value = record.get(field)
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= limit):
            raise InvalidInput(field, f"must be text of at most {limit} characters")
    data = _canonical(record)
    if len(data) > MAX_EVENT_BYTES:
        raise InvalidInput("event", "a custody event is at most 1 MiB of JSON")
    return data, record["action"], record.get("item"), record.get("case_id")


def lock(session: Session) -> None:
    """Take the log's write lock until the transaction ends (appends and checkpoints do)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    session.execute(_PG_LOCK if postgresql else _SQLITE_LOCK)


def size(session: Session) -> int:
    """The number of leaves in the log."""
    last = session.scalar(_LAST_INDEX)
    return 0 if last is None else int(last) + 1


@functools.cache
def _lookup(count: int) -> Select[int, int, bytes]:
    """``count`` OR-ed point lookups (SQLite scans the whole table for a row-value IN).

    Built once per count, with bind parameters, so that executing it compiles nothing.
    """
    level, idx = _NODES.c.level, _NODES.c.idx
    terms = (and_(level == bindparam(f"l{k}"), idx == bindparam(f"i{k}")) for k in range(count))
    return select(level, idx, _NODES.c.hash).where(or_(*terms))


def _fetch(
    session: Session, coordinates: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    wanted = sorted(set(coordinates))
    if not wanted:
        return {}
    params = {
        f"{c}{k}": v for k, pair in enumerate(wanted) for c, v in zip("li", pair, strict=True)
    }
    rows = session.execute(_lookup(len(wanted)), params)
    found = {(int(level), int(idx)): bytes(value) for level, idx, value in rows}
    if missing := set(wanted) - found.keys():
        level, index = min(missing)
        raise Conflict(
            f"the custody log's stored tree lacks node ({level}, {index}): it was altered",
            hint="run `dalil evidence verify --all` to see what changed",
        )
    return found


def _answer(session: Session, tree_size: int, build: Callable[[NodeSource], T]) -> T:
    """Run ``build`` once to learn which nodes it reads, fetch them in one query, run it again."""
    wanted: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        wanted.append((level, index))
        return EMPTY_ROOT

    build(record)
    try:
        found = _fetch(session, wanted)
    except Conflict:
        if tree_size > (current := size(session)):
            raise NotFound(
                f"the log has {current} leaves; there is no tree of {tree_size}"
            ) from None
        raise
    return build(lambda level, index: found[(level, index)])


@functools.cache
def _insert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, Any]:
    """The INSERT in the driver's paramstyle, and the order of its positional parameters."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = [columns.index(k) for k in compiled.positiontup or []] if compiled.positional else None
    return str(compiled), order


def _insert_many(session: Session, table: Table, columns: tuple[str, ...], rows: list[Any]) -> None:
    """One executemany straight to the driver: twice as fast as with the ORM's processing."""
    connection = session.connection()
    sql, order = _insert_sql(connection.dialect, table, columns)
    if order is None:
        rows = [dict(zip(columns, row, strict=True)) for row in rows]
    elif order != list(range(len(columns))):
        rows = [tuple(row[i] for i in order) for row in rows]
    connection.exec_driver_sql(sql, rows)


def append_many(session: Session, events: Iterable[Mapping[str, Any]]) -> list[LeafRef]:
    """Append events as consecutive leaves, in order; returns where each went."""
    prepared = [_prepare(session, event) for event in events]
    if not prepared:
        return []
    lock(session)
    start = size(session)
    frontier = _fetch(session, [(lv, (start >> lv) - 1) for lv in range(64) if start >> lv & 1])
    right = {level: value for (level, _), value in frontier.items()}
    leaves: list[tuple[Any, ...]] = []
    nodes: list[tuple[int, int, bytes]] = []
    refs: list[LeafRef] = []
    leaf_hash, node_hash = merkle.leaf_hash, merkle.node_hash
    for index, row in enumerate(prepared, start):
        leaves.append((index, *row))
        current = leaf_hash(row[0])
        refs.append(LeafRef(index, current))
        nodes.append((0, index, current))
        level, position = 0, index
        while position & 1:
            current = node_hash(right.pop(level), current)
            level, position = level + 1, position >> 1
            nodes.append((level, position, current))
        right[level] = current
    _insert_many(session, _LEAVES, _LEAF_COLUMNS, leaves)
    _insert_many(session, _NODES, ("level", "idx", "hash"), nodes)
    return refs


def append(session: Session, event: Mapping[str, Any]) -> LeafRef:
    """Append one custody event (``action``, ``actor``, ``time``, ``item``, ``case_id``…).

    ``actor`` defaults to the transaction's actor, ``time`` to now (UTC).
    """
    return append_many(session, [event])[0]


def _tree_size(session: Session, tree_size: int | None) -> int:
    """The size asked for (checked only if its nodes are missing: one query less), or the log's."""
    if tree_size is None:
        return size(session)
    if tree_size < 0:
        raise NotFound(f"there is no tree of {tree_size} leaves")
    return tree_size


def root(session: Session, tree_size: int | None = None) -> bytes:
    """The Merkle root of the first ``tree_size`` leaves (default: all)."""
    n = _tree_size(session, tree_size)
    return _answer(session, n, lambda src: merkle.subtree_hash(src, 0, n)) if n else EMPTY_ROOT


def inclusion_proof(session: Session, index: int, tree_size: int | None = None) -> InclusionProof:
    """Proof that leaf ``index`` is in the tree of ``tree_size`` leaves (default: all)."""
    n = _tree_size(session, tree_size)
    if not 0 <= index < n:
        raise NotFound(f"leaf {index} is not in the log's first {n} leaves")
    leaf, top, path = _answer(
        session,
        n,
        lambda src: (
            src(0, index),
            merkle.subtree_hash(src, 0, n),
            merkle.inclusion_path(src, index, n),
        ),
    )
    return InclusionProof(index, n, leaf, top, tuple(path))


def consistency_proof(session: Session, old: int, new: int | None = None) -> ConsistencyProof:
    """Proof that the log's first ``old`` leaves are a prefix of its first ``new`` (default all)."""
    n = _tree_size(session, new)
    if not 0 <= old <= n:
        raise NotFound(f"no consistency proof from {old} to {n} leaves")
    old_root, new_root, path = _answer(
        session,
        n,
        lambda src: (
            merkle.subtree_hash(src, 0, old) if old else EMPTY_ROOT,
            merkle.subtree_hash(src, 0, n) if n else EMPTY_ROOT,
            merkle.consistency_path(src, old, n),
        ),
    )
    return ConsistencyProof(old, n, old_root, new_root, tuple(path))


def get_leaf(session: Session, index: int) -> Leaf:
    data = session.scalar(select(_LEAVES.c.data).where(_LEAVES.c.idx == index))
    if data is None:
        raise NotFound(f"the custody log has no leaf {index}")
    return Leaf(index, bytes(data))


def find_leaves(
    session: Session, *, item: str | None = None, case_id: str | None = None
) -> list[Leaf]:
    """Leaves about one item (``sha256:…``) and/or one case, in log order."""
    query = select(_LEAVES.c.idx, _LEAVES.c.data).order_by(_LEAVES.c.idx)
    if item is not None:
        query = query.where(_LEAVES.c.item == item)
    if case_id is not None:
        query = query.where(_LEAVES.c.case_id == case_id)
    return [Leaf(int(index), bytes(data)) for index, data in session.execute(query)]


def _stored(row: Any) -> LogCheckpoint:
    return LogCheckpoint(row.seq, row.tree_size, bytes(row.root_hash), row.note, row.created_at)


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    row = session.execute(select(CustodyCheckpoint).order_by(CustodyCheckpoint.seq.desc())).first()
    return None if row is None else _stored(row[0])


def checkpoint(session: Session, key: LogKey | None = None) -> LogCheckpoint:
    """Sign and store a checkpoint of the whole log (or return the latest if nothing changed).

    Refuses (:class:`Conflict`) when the log no longer extends the latest signed checkpoint.
    """
    key = key or installation_key()
    lock(session)
    n = size(session)
    top = root(session, n)
    last = latest_checkpoint(session)
    if last is not None:
        try:
            signed = notes.open_checkpoint(last.note, [key.verifier], key.origin)
        except notes.CheckpointError as exc:
            raise Conflict(
                f"the latest checkpoint (#{last.seq}) does not verify with this installation's "
                f"key: {exc}",
                hint="restore the installation's keys folder, then run `dalil evidence verify`",
            ) from None
        if signed.size > n or root(session, signed.size) != signed.root_hash:
            raise Conflict(
                f"the log no longer extends checkpoint #{last.seq} ({signed.size} leaves): "
                "it was altered",
                hint="run `dalil evidence verify --all` to see which leaves changed",
            )
        if signed.size == n:
            return last
    note = notes.sign_note(
        notes.checkpoint_body(key.origin, n, top), key.name, key.public_key, key.sign
    )
    stored = LogCheckpoint(1 if last is None else last.seq + 1, n, top, note, utcnow())
    session.execute(
        insert(_CHECKPOINTS).values(
            seq=stored.seq,
            tree_size=n,
            root_hash=top,
            note=note,
            created_at=stored.created_at,
        )
    )
    return stored


def verify(
    session: Session, against: LogCheckpoint | str | None = None, *, key: LogKey | None = None
) -> VerifyReport:
    """Re-hash every leaf and check the log against a checkpoint (default: the latest stored).

    ``against`` may be a signed note from outside (a published or witnessed checkpoint). The report
    names every leaf altered, removed, moved or inserted, and every stored hash that is wrong.
    """
    key = key or installation_key()
    note = against.note if isinstance(against, LogCheckpoint) else against
    return verify_log(session, note, [key.verifier], key.origin)
