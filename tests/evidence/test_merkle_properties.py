"""The Merkle functions agree with RFC 6962/9162, and every change to a leaf, proof or root shows.

A naive recursive reference, written straight from the RFC's definitions (MTH, PATH, SUBPROOF),
checks the iterative functions that answer from a node source; known RFC 6962 vectors anchor both.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dalil.evidence import merkle
from dalil.evidence.merkle import (
    ConsistencyProof,
    InclusionProof,
    canonical_json,
    complete_levels,
    consistency_path,
    inclusion_path,
    leaf_hash,
    levels_source,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 test vectors (the Certificate Transparency reference tests): leaves and the roots of
# the first 1..8 of them.
VECTOR_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
VECTOR_LEAVES.append("606162636465666768696a6b6c6d6e6f")
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + leaves[0])
    k = 1 << ((n - 1).bit_length() - 1)
    return _h(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def source_of(leaves: list[bytes]) -> merkle.NodeSource:
    return levels_source(complete_levels(b"".join(leaf_hash(d) for d in leaves)))


def flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


leaf_lists = st.lists(st.binary(max_size=12), min_size=1, max_size=40)
unique_leaf_lists = st.lists(st.binary(max_size=12), min_size=2, max_size=40, unique=True)


def test_roots_match_the_rfc6962_vectors() -> None:
    leaves = [bytes.fromhex(x) for x in VECTOR_LEAVES]
    for n in range(1, 9):
        assert root_hash([leaf_hash(d) for d in leaves[:n]]).hex() == VECTOR_ROOTS[n - 1]
    assert root_hash([]) == _h(b"")


def test_known_inclusion_and_consistency_proofs_verify() -> None:
    leaves = [bytes.fromhex(x) for x in VECTOR_LEAVES]
    roots = [bytes.fromhex(r) for r in VECTOR_ROOTS]
    source = source_of(leaves)
    path = inclusion_path(source, 5, 8)
    assert [p.hex()[:8] for p in path] == ["bc1a0643", "ca854ea1", "d37ee418"]
    assert verify_inclusion(leaf_hash(leaves[5]), 5, 8, path, roots[7])
    assert not verify_inclusion(leaf_hash(leaves[5]), 4, 8, path, roots[7])
    proof = consistency_path(source, 6, 8)
    assert [p.hex()[:8] for p in proof] == ["0ebc5d34", "ca854ea1", "d37ee418"]
    assert verify_consistency(6, 8, roots[5], roots[7], proof)
    assert not verify_consistency(6, 8, roots[4], roots[7], proof)


@settings(max_examples=150, deadline=None)
@given(leaf_lists)
def test_root_equals_the_rfc_definition(leaves: list[bytes]) -> None:
    assert root_hash([leaf_hash(d) for d in leaves]) == ref_mth(leaves)


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_inclusion_proofs_match_the_reference_and_verify(leaves: list[bytes], data) -> None:
    n = len(leaves)
    m = data.draw(st.integers(0, n - 1))
    path = inclusion_path(source_of(leaves), m, n)
    assert path == ref_path(m, leaves)
    assert verify_inclusion(leaf_hash(leaves[m]), m, n, path, ref_mth(leaves))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5000), st.data())
def test_proofs_for_random_sizes_and_indexes_verify(n: int, data) -> None:
    leaves = [i.to_bytes(4, "big") for i in range(n)]
    source, root = source_of(leaves), root_hash([leaf_hash(d) for d in leaves])
    m = data.draw(st.integers(0, n - 1))
    assert verify_inclusion(leaf_hash(leaves[m]), m, n, inclusion_path(source, m, n), root)
    old = data.draw(st.integers(0, n))
    old_root = root_hash([leaf_hash(d) for d in leaves[:old]])
    assert verify_consistency(old, n, old_root, root, consistency_path(source, old, n))


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_consistency_proofs_match_the_reference_and_verify(leaves: list[bytes], data) -> None:
    n = len(leaves)
    m = data.draw(st.integers(1, n))
    proof = consistency_path(source_of(leaves), m, n)
    assert proof == ([] if m == n else ref_subproof(m, leaves, True))
    assert verify_consistency(m, n, ref_mth(leaves[:m]), ref_mth(leaves), proof)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=40, unique=True), st.data())
def test_any_bit_flip_in_leaf_path_or_root_breaks_inclusion(leaves: list[bytes], data) -> None:
    n = len(leaves)
    m = data.draw(st.integers(0, n - 1))
    leaf, root = leaf_hash(leaves[m]), ref_mth(leaves)
    path = inclusion_path(source_of(leaves), m, n)
    bit = data.draw(st.integers(0, 255))
    assert not verify_inclusion(flip(leaf, bit), m, n, path, root)
    assert not verify_inclusion(leaf, m, n, path, flip(root, bit))
    if path:
        k = data.draw(st.integers(0, len(path) - 1))
        assert not verify_inclusion(
            leaf, m, n, [*path[:k], flip(path[k], bit), *path[k + 1 :]], root
        )
        assert not verify_inclusion(leaf, m, n, path[:-1], root)  # a dropped proof element
    other = data.draw(st.integers(0, n - 1))
    assume(other != m)
    assert not verify_inclusion(leaf, other, n, path, root)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=2, max_size=40), st.data())
def test_any_bit_flip_in_a_consistency_proof_or_root_breaks_it(leaves: list[bytes], data) -> None:
    n = len(leaves)
    m = data.draw(st.integers(1, n - 1))
    old, new = ref_mth(leaves[:m]), ref_mth(leaves)
    proof = consistency_path(source_of(leaves), m, n)
    bit = data.draw(st.integers(0, 255))
    k = data.draw(st.integers(0, len(proof) - 1))
    assert not verify_consistency(
        m, n, old, new, [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
    )
    assert not verify_consistency(m, n, flip(old, bit), new, proof)
    assert not verify_consistency(m, n, old, flip(new, bit), proof)
    assert not verify_consistency(m, n, old, new, proof[:-1])


def _edits(leaves: list[bytes], data) -> list[list[bytes]]:
    """The list with one leaf dropped, two swapped, one inserted and one changed."""
    n = len(leaves)
    i = data.draw(st.integers(0, n - 1))
    j = (i + data.draw(st.integers(1, n - 1))) % n  # never i: nothing to reject
    swapped = list(leaves)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    extra = data.draw(st.binary(min_size=13, max_size=20))  # longer than any leaf: new
    changed = list(leaves)
    changed[i] = flip(changed[i] + b"\x00", data.draw(st.integers(0, 255)))
    return [leaves[:i] + leaves[i + 1 :], swapped, [*leaves[:i], extra, *leaves[i:]], changed]


@settings(max_examples=150, deadline=None)
@given(unique_leaf_lists, st.data())
def test_dropped_reordered_inserted_or_changed_leaves_change_the_root(leaves, data) -> None:
    root = ref_mth(leaves)
    for edited in _edits(leaves, data):
        assert root_hash([leaf_hash(d) for d in edited]) != root


@settings(max_examples=150, deadline=None)
@given(unique_leaf_lists, st.data())
def test_an_edited_history_has_no_valid_consistency_proof(leaves: list[bytes], data) -> None:
    """A log that rewrote anything before the old size cannot prove it extends the old root."""
    n = len(leaves)
    for edited in _edits(leaves, data):
        m = data.draw(st.integers(1, min(n, len(edited))))
        if edited[:m] == leaves[:m]:
            continue  # an edit after the old size is a legitimate extension: nothing to prove
        new_root = root_hash([leaf_hash(d) for d in edited])
        proof = consistency_path(source_of(edited), m, len(edited))
        assert not verify_consistency(m, len(edited), ref_mth(leaves[:m]), new_root, proof)


def test_malformed_input_is_refused_not_raised() -> None:
    leaf, root = leaf_hash(b"a"), root_hash([leaf_hash(b"a")])
    assert verify_inclusion(leaf, 0, 1, [], root)
    for bad in [(leaf, -1, 1), (leaf, 1, 1), (leaf, 0, 0), (leaf[:31], 0, 1), (leaf, True, 2)]:
        assert not verify_inclusion(bad[0], bad[1], bad[2], [], root)  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, 0, 2, [b"short"], root)
    assert not verify_consistency(2, 1, root, root, [])
    assert not verify_consistency(1, 2, root, root, [])
    assert verify_consistency(0, 1, merkle.EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 1, root, root, [])
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_path(source_of([b"a"]), 1, 1)
    with pytest.raises(ValueError, match="aligned"):
        merkle.subtree_hash(source_of([b"a", b"b", b"c"]), 1, 3)


def test_proof_objects_round_trip_through_json() -> None:
    leaves = [bytes([i]) for i in range(11)]
    source, root = source_of(leaves), ref_mth(leaves)
    proof = InclusionProof(3, 11, leaf_hash(leaves[3]), root, tuple(inclusion_path(source, 3, 11)))
    again = InclusionProof.from_dict(proof.to_dict())
    assert again == proof
    assert again.verify(root)
    assert not again.verify(flip(root, 7))
    old = ref_mth(leaves[:4])
    cproof = ConsistencyProof(4, 11, old, root, tuple(consistency_path(source, 4, 11)))
    assert ConsistencyProof.from_dict(cproof.to_dict()).verify(old, root)
    with pytest.raises(ValueError, match="proof path"):
        InclusionProof.from_dict({**proof.to_dict(), "path": "00"})


def test_canonical_json_is_sorted_compact_utf8_and_refuses_what_is_ambiguous() -> None:
    event = {"b": [1, 2.5, None], "a": "Tadamon التضامن", "c": {"z": True, "y": "x"}}
    assert canonical_json(event) == (
        '{"a":"Tadamon التضامن","b":[1,2.5,null],"c":{"y":"x","z":true}}'.encode()
    )
    for bad in [
        {"x": float("nan")},
        {"x": float("inf")},
        {1: "a", "1": "b"},  # would be a duplicate key: mixed key types are refused
        {"x": b"bytes"},
        {"x": "\ud800"},
    ]:
        with pytest.raises((TypeError, ValueError)):
            canonical_json(bad)
