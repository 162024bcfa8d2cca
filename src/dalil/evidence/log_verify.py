"""Full verification of the custody log: every leaf re-hashed, every stored hash checked.

:func:`verify_log` recomputes the whole tree from the stored leaf data, compares it with the stored
subtree hashes and with every signed checkpoint, and says exactly what differs. The signed root
authenticates stored hashes top-down, which pins a change to the leaf (or, if the stored hashes
were rewritten too, the smallest range of leaves) that no longer matches what was signed. Signed
leaf hashes found at other indexes reveal moved (renumbered) leaves; data never signed at an index
whose leaf moved away is an insertion. Leaves after the checkpoint are checked against the hashes
recorded when they were appended.

This module only reads: it must never repair, rewrite or delete anything it finds wrong.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from dalil.db.models_evidence import CustodyCheckpoint, CustodyLeaf, CustodyNode
from dalil.evidence.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint
from dalil.evidence.merkle import HASH_SIZE, complete_levels, levels_source, node_hash, subtree_hash

_LEAVES = cast(Table, CustodyLeaf.__table__)
_NODES = cast(Table, CustodyNode.__table__)


@dataclass(frozen=True)
class Problem:
    """One finding. Leaf problems name ``index`` (and ``end``, exclusive, for a range)."""

    kind: str
    message: str
    index: int | None = None
    end: int | None = None
    level: int | None = None
    moved_to: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _leaves(kind: str, message: str, start: int, end: int | None = None, **more: int) -> Problem:
    return Problem(kind, message, start, start + 1 if end is None else end, **more)


@dataclass
class VerifyReport:
    """What :func:`verify_log` found; ``ok`` when nothing."""

    tree_size: int
    checkpoint: Checkpoint | None
    added_since_checkpoint: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def indexes(self, *kinds: str) -> list[int]:
        """Every leaf index named by problems of these kinds (ranges expanded)."""
        named = {
            i
            for p in self.problems
            if p.kind in kinds and p.index is not None
            for i in range(p.index, p.end or p.index + 1)
        }
        return sorted(named)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tree_size": self.tree_size,
            "checkpoint": None if self.checkpoint is None else self.checkpoint.to_dict(),
            "added_since_checkpoint": self.added_since_checkpoint,
            "problems": [p.to_dict() for p in self.problems],
        }


def _chunks(
    session: Session, query: Select[Any], column: Any, stop: int, step: int = 20_000
) -> Iterator[Sequence[Any]]:
    """Rows ordered by ``column``, in bounded ranges of it, then any row outside ``[0, stop)``.

    Each range is fetched whole, straight from the driver, on the session's own connection and
    transaction: building SQLAlchemy rows would cost more than all the hashing, and one bounded
    query at a time keeps memory flat on PostgreSQL too.
    """
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    ranges = [
        column < 0,
        *(column.between(a, min(a + step, stop) - 1) for a in range(0, stop, step)),
    ]
    try:
        for where in [*ranges, column >= stop]:
            sql = (
                query.where(where)
                .order_by(column)
                .compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
            )
            cursor.execute(str(sql))
            if batch := cursor.fetchall():
                yield batch
    finally:
        cursor.close()


def _zeros(flags: bytearray) -> Iterator[int]:
    position = flags.find(0)
    while position >= 0:
        yield position
        position = flags.find(0, position + 1)


_scan = json.JSONDecoder().raw_decode  # no encoding sniffing, no whitespace: canonical JSON


def _columns_match(data: bytes, columns: tuple[str, str | None, str | None]) -> bool:
    try:
        text = data.decode("utf-8")
        event, end = _scan(text)
    except ValueError:  # not UTF-8, or not JSON
        return False
    if end != len(text) or not isinstance(event, dict):
        return False
    return (event.get("action"), event.get("item"), event.get("case_id")) == columns


class _Tree:
    """The tree recomputed from the leaf data, beside the stored hashes where they differ.

    A missing leaf row counts as an all-zero hash, which no SHA-256 output is.
    """

    def __init__(self, session: Session, trusted_size: int) -> None:
        count = select(func.count())
        rows = session.scalar(count.select_from(_LEAVES)) or 0
        hashes = session.scalar(count.select_from(_NODES).where(_NODES.c.level == 0)) or 0
        limit = max(rows, hashes, trusted_size) + 1024  # a row far past the end is not a gap
        top = session.scalar(select(func.max(_LEAVES.c.idx)).where(_LEAVES.c.idx < limit))
        self.size = 0 if top is None else int(top) + 1
        leaves, present = bytearray(self.size * HASH_SIZE), bytearray(self.size)
        self.stray: list[int] = []
        self.bad_columns: list[int] = []
        sha256, c = hashlib.sha256, _LEAVES.c
        query = select(c.idx, c.data, c.action, c.item, c.case_id)
        for batch in _chunks(session, query, c.idx, self.size):
            for idx, data, action, item, case_id in batch:
                if not 0 <= idx < self.size:
                    self.stray.append(idx)
                    continue
                leaves[idx * HASH_SIZE : (idx + 1) * HASH_SIZE] = sha256(b"\x00" + data).digest()
                present[idx] = 1
                if not _columns_match(data, (action, item, case_id)):
                    self.bad_columns.append(idx)
        self.gaps = set(_zeros(present))
        self.levels = complete_levels(bytes(leaves))
        self.source = levels_source(self.levels)
        self.diff: dict[tuple[int, int], bytes] = {}
        self.extra: dict[tuple[int, int], bytes] = {}
        self.unstored: set[tuple[int, int]] = set()
        stored = select(_NODES.c.level).group_by(_NODES.c.level)
        for level in sorted({*range(len(self.levels)), *session.scalars(stored)}):
            self._compare_level(session, level)

    def _compare_level(self, session: Session, level: int) -> None:
        """Stored hashes of one level against the recomputed ones, a batch at a time."""
        computed = self.levels[level] if level < len(self.levels) else b""
        count, seen = len(computed) // HASH_SIZE, bytearray(len(computed) // HASH_SIZE)
        query = select(_NODES.c.idx, _NODES.c.hash).where(_NODES.c.level == level)
        for batch in _chunks(session, query, _NODES.c.idx, count):
            first, last = batch[0][0], batch[-1][0]
            if first >= 0 and last < count and last - first + 1 == len(batch):  # consecutive
                seen[first : last + 1] = b"\x01" * len(batch)
                joined = b"".join(value for _, value in batch)
                if joined == computed[first * HASH_SIZE : (last + 1) * HASH_SIZE]:
                    continue
            for idx, value in batch:  # the slow path, only where something differs
                if 0 <= idx < count:
                    seen[idx] = 1
                    if computed[idx * HASH_SIZE : (idx + 1) * HASH_SIZE] != value:
                        self.diff[(level, idx)] = bytes(value)
                else:
                    self.extra[(level, idx)] = bytes(value)
        self.unstored.update((level, i) for i in _zeros(seen))

    def computed(self, level: int, index: int) -> bytes | None:
        return self.source(level, index) if (index + 1) << level <= self.size else None

    def content(self, index: int) -> bytes | None:
        """The hash of the data at leaf ``index``, None if there is no row."""
        return None if index >= self.size or index in self.gaps else self.source(0, index)

    def stored(self, level: int, index: int) -> bytes:
        key = (level, index)
        value = self.diff.get(key) or self.extra.get(key)
        if value is None and key not in self.unstored:
            value = self.computed(level, index)
        if value is None:
            raise KeyError(key)
        return value

    def root(self, size: int) -> bytes | None:
        """The recomputed root of the first ``size`` leaves, None if some are missing."""
        if size > self.size or any(g < size for g in self.gaps):
            return None
        return subtree_hash(self.source, 0, size)


def _authenticate(tree: _Tree, signed: Checkpoint) -> tuple[dict[int, bytes], list[int]]:
    """Walk down from the signed root through stored hashes that still hash up to it.

    Returns the signed hash of every leaf whose data no longer matches it, and the start of each
    subtree (of ``2**level`` leaves, as ``start`` then ``end``) whose stored hashes were rewritten
    too, so that no single leaf can be named there.
    """
    n, bad, ranges = signed.size, dict[int, bytes](), list[int]()
    try:
        if subtree_hash(tree.stored, 0, n) != signed.root_hash:
            return bad, [0, n]
    except KeyError:
        return bad, [0, n]
    stack, position = [], 0
    while position < n:  # the complete subtrees the signed root is made of
        level = (n - position).bit_length() - 1
        stack.append((level, position >> level))
        position += 1 << level
    while stack:
        level, index = stack.pop()
        signed_hash = tree.stored(level, index)
        if tree.computed(level, index) == signed_hash:
            continue
        if level == 0:
            bad[index] = signed_hash
            continue
        try:
            left, right = tree.stored(level - 1, 2 * index), tree.stored(level - 1, 2 * index + 1)
        except KeyError:
            left = right = b""
        if left and node_hash(left, right) == signed_hash:
            stack += [(level - 1, 2 * index + 1), (level - 1, 2 * index)]
        else:
            ranges += [index << level, (index + 1) << level]
    return bad, ranges


def _classify(tree: _Tree, n: int, bad: dict[int, bytes]) -> list[Problem]:
    """Name what happened to each leaf whose logged hash no longer matches its data.

    ``bad`` maps an index to its logged leaf hash: signed (before the checkpoint) or recorded at
    append (after it). A logged leaf found at another index was moved (runs are reported once);
    one found nowhere was removed (its index is empty or holds another logged leaf) or altered;
    data never logged, at an index whose leaf moved away, was inserted.
    """
    if not bad:
        return []
    signed_at = {value: index for index, value in bad.items()}
    positions = set(bad) | set(range(n, tree.size))
    here = {tree.content(k): k for k in positions if tree.content(k) is not None}
    found: list[Problem] = []
    moves: list[tuple[int, int]] = []
    for index in sorted(bad):
        where = here.get(bad[index])
        content = tree.content(index)
        if where is not None and where != index:
            moves.append((index, where))
            if content is not None and content not in signed_at:
                found.append(_leaves("leaf_inserted", f"leaf {index} was never logged", index))
        elif content is None or content in signed_at:
            found.append(_leaves("leaf_removed", f"leaf {index} was removed", index))
        else:
            found.append(
                _leaves("leaf_altered", f"leaf {index} differs from what was logged", index)
            )
    run: list[tuple[int, int]] = []
    for move in [*moves, (-2, -2)]:  # the sentinel flushes the last run
        if run and move == (run[-1][0] + 1, run[-1][1] + 1):
            run.append(move)
            continue
        if run:
            (first, to), last = run[0], run[-1][0]
            what = f"leaf {first}" if first == last else f"leaves {first}–{last}"
            message = f"{what} moved to index {to}{'' if first == last else ' on'}"
            found.append(_leaves("leaf_moved", message, first, last + 1, moved_to=to))
        run = [move]
    return found


def _checkpoints(
    session: Session, note: str | None, verifiers: Sequence[Verifier], origin: str
) -> tuple[list[Problem], dict[str, tuple[str, Checkpoint]], Checkpoint | None]:
    """Every stored checkpoint checked; the one to verify against (``note``, else the latest)."""
    problems, signed, expected = [], dict[str, tuple[str, Checkpoint]](), 1
    for row in session.scalars(select(CustodyCheckpoint).order_by(CustodyCheckpoint.seq)):
        if row.seq != expected:
            gone = f"#{expected}" + ("" if row.seq == expected + 1 else f"–#{row.seq - 1}")
            problems.append(Problem("checkpoint_removed", f"checkpoint {gone} was removed"))
        expected = row.seq + 1
        try:
            cp = open_checkpoint(row.note, verifiers, origin)
        except CheckpointError as exc:
            problems.append(Problem("checkpoint_invalid", f"checkpoint #{row.seq}: {exc}"))
            continue
        if (cp.size, cp.root_hash) != (row.tree_size, bytes(row.root_hash)):
            message = f"checkpoint #{row.seq}: its columns differ from its signed note"
            problems.append(Problem("checkpoint_invalid", message))
        signed[cp.text] = (f"#{row.seq}", cp)
    target = list(signed.values())[-1][1] if signed and note is None else None
    if note is not None:
        try:
            target = open_checkpoint(note, verifiers, origin)
            signed.setdefault(target.text, ("given", target))
        except CheckpointError as exc:
            problems.append(Problem("checkpoint_invalid", f"the given checkpoint: {exc}"))
    return problems, signed, target


def verify_log(
    session: Session, note: str | None, verifiers: Sequence[Verifier], origin: str
) -> VerifyReport:
    """Check the whole log against ``note`` (default: the latest valid stored checkpoint)."""
    problems, signed, target = _checkpoints(session, note, verifiers, origin)
    n = 0 if target is None else target.size
    tree = _Tree(session, n)
    if not signed and note is None and tree.size:
        problems.append(Problem("no_checkpoint", "no valid signed checkpoint to verify against"))
    for label, cp in signed.values():
        if tree.root(cp.size) != cp.root_hash:
            message = f"the log no longer matches checkpoint {label} ({cp.size} leaves)"
            problems.append(Problem("checkpoint_mismatch", message))
    bad, ranges = dict[int, bytes](), list[int]()
    if target is not None and tree.root(n) != target.root_hash:
        bad, ranges = _authenticate(tree, target)
        if ranges == [0, n]:  # even the top hashes were rewritten: narrow by older checkpoints
            intact = [cp.size for _, cp in signed.values() if _intact(tree, cp, n)]
            ranges = [max(intact, default=0), n]
    for (level, index), value in [*tree.diff.items(), *tree.extra.items()]:
        if level == 0 and index >= n:  # after the checkpoint: the hash recorded at append
            bad[index] = value
    found = _classify(tree, n, bad)
    for start, end in zip(ranges[::2], ranges[1::2], strict=True):
        found += _unpinned(tree, start, end)
    named: set[int] = set()
    for p in found:
        assert p.index is not None
        assert p.end is not None
        named.update(range(p.index, p.end))
        if p.moved_to is not None:
            named.update(range(p.moved_to, p.moved_to + p.end - p.index))
    for index in sorted(tree.gaps - named):
        found.append(_leaves("leaf_removed", f"leaf {index} was removed (a gap)", index))
        named.add(index)
    for index in tree.stray:
        found.append(_leaves("leaf_inserted", f"a leaf row sits at {index}, past the end", index))
    found += _stored_hash_problems(tree, sorted(named))
    for index in sorted(set(tree.bad_columns) - named):
        message = f"leaf {index}'s lookup columns (action, item, case_id) disagree with its data"
        found.append(_leaves("leaf_columns", message, index))
    found.sort(key=lambda p: (p.index if p.index is not None else -1, p.level or 0, p.kind))
    return VerifyReport(tree.size, target, max(0, tree.size - n), problems + found)


def _intact(tree: _Tree, cp: Checkpoint, n: int) -> bool:
    """An older checkpoint the log still matches."""
    return cp.size < n and tree.root(cp.size) == cp.root_hash


def _unpinned(tree: _Tree, start: int, end: int) -> list[Problem]:
    """Leaves under a subtree whose stored hashes no longer lead to the signed root."""
    gone = [i for i in range(start, end) if tree.content(i) is None]
    found = [_leaves("leaf_removed", f"leaf {i} was removed", i) for i in gone]
    rows = [i for i in range(start, end) if i not in gone]
    if rows:
        first, last = rows[0], rows[-1]
        what = f"leaf {first}" if first == last else f"leaves {first}–{last}"
        if gone:  # the hashes beside them went too: no leaf can be pinned, none is known bad
            found.append(
                _leaves(
                    "leaves_unverified",
                    f"{what} cannot be checked one by one: "
                    "the stored hashes beside them were removed",
                    first,
                    last + 1,
                )
            )
        else:
            found.append(
                _leaves(
                    "leaves_altered",
                    f"{what}: at least one differs from what was "
                    "signed, and the stored hashes were rewritten",
                    first,
                    last + 1,
                )
            )
    return found


def _stored_hash_problems(tree: _Tree, named: list[int]) -> list[Problem]:
    """Stored hashes that disagree with the data, where no leaf problem already explains it."""
    found: list[Problem] = []
    kinds = [(tree.diff, "altered"), (tree.unstored, "missing"), (tree.extra, "unexpected")]
    for nodes, kind in kinds:
        for level, index in sorted(nodes):
            start, end = index << level, (index + 1) << level
            first = bisect.bisect_left(named, start)
            if first < len(named) and named[first] < end:
                continue  # a leaf problem inside explains it
            what = f"leaf {start}" if level == 0 else f"leaves {start}–{end - 1}"
            message = f"the stored hash of node ({level}, {index}) is {kind} ({what}: proofs fail)"
            found.append(Problem(f"hash_{kind}", message, start, end, level))
    return found
