"""RFC 6962 / RFC 9162 Merkle trees: hashes, roots, inclusion and consistency proofs.

Pure functions over hashes. Proof *generation* reads complete subtrees through a node source
(``source(level, index)`` returns the hash of leaves ``[index * 2**level, (index + 1) * 2**level)``)
so that a stored log answers a proof with O(log n) reads; proof *verification* needs nothing but
the proof. Verifiers return ``False`` for anything malformed instead of raising.

This module must never import anything outside the Python standard library, nor anything from
``dalil``: it is copied verbatim into the ``verify.py`` shipped inside court bundles. It never
does I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) of RFC 9162 §2.1.1

NodeSource = Callable[[int, int], bytes]
"""``source(level, index)``: the hash of a complete subtree; level 0 is a leaf hash."""


def canonical_json(value: Any) -> bytes:
    """Leaf data of an event: JSON with sorted keys, no insignificant whitespace, UTF-8, no NaN.

    Raises ``TypeError`` or ``ValueError`` for what JSON cannot say exactly (NaN, infinities,
    lone surrogates, bytes and other types, keys of mixed types). Keys that are numbers become
    text, as in any JSON. Not RFC 8785: numbers are written as Python writes them.
    """
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(source: NodeSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursion produces, from complete subtrees.

    ``start`` must be a multiple of a power of two at least ``end - start`` (true of every range
    that appears in a proof, and of ``[0, n)``). Reads at most log2(n) + 1 nodes.
    """
    if end <= start:
        if start == end == 0:
            return EMPTY_ROOT
        raise ValueError(f"empty or inverted range [{start}, {end})")
    parts: list[bytes] = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        if position % (1 << level):
            raise ValueError(f"range [{start}, {end}) is not aligned to a subtree")
        parts.append(source(level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = node_hash(part, result)
    return result


def next_level(hashes: bytes) -> bytes:
    """The complete parents of a level of concatenated 32-byte hashes (an odd last is left)."""
    sha256 = hashlib.sha256
    out = bytearray()
    for offset in range(0, len(hashes) - 2 * HASH_SIZE + 1, 2 * HASH_SIZE):
        out += sha256(b"\x01" + hashes[offset : offset + 2 * HASH_SIZE]).digest()
    return bytes(out)


def complete_levels(leaf_hashes: bytes) -> list[bytes]:
    """Every complete subtree of a tree, level by level, as concatenated hashes (level 0 first)."""
    if len(leaf_hashes) % HASH_SIZE:
        raise ValueError("leaf hashes must be concatenated 32-byte digests")
    levels = [bytes(leaf_hashes)]
    while len(levels[-1]) >= 2 * HASH_SIZE:
        levels.append(next_level(levels[-1]))
    return levels


def levels_source(levels: Sequence[bytes]) -> NodeSource:
    """A node source reading from :func:`complete_levels`."""

    def source(level: int, index: int) -> bytes:
        offset = index * HASH_SIZE
        if level >= len(levels) or offset + HASH_SIZE > len(levels[level]):
            raise KeyError((level, index))
        return levels[level][offset : offset + HASH_SIZE]

    return source


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (already hashed with :func:`leaf_hash`)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    levels = complete_levels(b"".join(leaf_hashes))
    return subtree_hash(levels_source(levels), 0, len(leaf_hashes))


def inclusion_path(source: NodeSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(subtree_hash(source, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(source, start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_path(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1; empty when old is 0 or equals new."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while True:
        if m == end - start:
            if not whole:
                path.append(subtree_hash(source, start, end))
            break
        k = _split(end - start)
        if m <= k:
            path.append(subtree_hash(source, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(source, start, start + k))
            start, m, whole = start + k, m - k, False
    path.reverse()
    return path


def _hashes_ok(*values: object) -> bool:
    return all(isinstance(v, bytes) and len(v) == HASH_SIZE for v in values)


def _is_int(*values: object) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` prove leaf hash ``leaf`` at ``index`` in ``root``?"""
    if not (_is_int(index, size) and _hashes_ok(leaf, root, *path)) or not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree ``old_root`` of ``old_size`` a prefix of ``new_root``?

    Size 0 is consistent with any tree (empty proof, ``old_root`` the empty-tree hash).
    """
    if not (_is_int(old_size, new_size) and _hashes_ok(old_root, new_root, *path)):
        return False
    if not 0 <= old_size <= new_size:
        return False
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not path and old_root == new_root
    if not path:
        return False
    nodes = list(path)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def _hexes(values: object) -> tuple[bytes, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("a proof path is a list of hex hashes")
    return tuple(bytes.fromhex(v) for v in values)


@dataclass(frozen=True)
class InclusionProof:
    """Proof that leaf ``leaf_index`` (hash ``leaf_hash``) is in the tree of ``tree_size``."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    path: tuple[bytes, ...]

    def verify(self, root: bytes) -> bool:
        """True if the proof holds and leads to ``root`` (take it from a verified checkpoint)."""
        return self.root_hash == root and verify_inclusion(
            self.leaf_hash, self.leaf_index, self.tree_size, self.path, root
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "root_hash": self.root_hash.hex(),
            "path": [h.hex() for h in self.path],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> InclusionProof:
        """Read :meth:`to_dict`'s output; raises ``ValueError``/``KeyError`` if malformed."""
        return cls(
            int(d["leaf_index"]),
            int(d["tree_size"]),
            bytes.fromhex(d["leaf_hash"]),
            bytes.fromhex(d["root_hash"]),
            _hexes(d["path"]),
        )


@dataclass(frozen=True)
class ConsistencyProof:
    """Proof that the tree of ``old_size`` leaves is a prefix of the tree of ``new_size``."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: tuple[bytes, ...]

    def verify(self, old_root: bytes, new_root: bytes) -> bool:
        """True if the proof holds between these two roots (from verified checkpoints)."""
        return (self.old_root, self.new_root) == (old_root, new_root) and verify_consistency(
            self.old_size, self.new_size, old_root, new_root, self.path
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
            "path": [h.hex() for h in self.path],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ConsistencyProof:
        return cls(
            int(d["old_size"]),
            int(d["new_size"]),
            bytes.fromhex(d["old_root"]),
            bytes.fromhex(d["new_root"]),
            _hexes(d["path"]),
        )
