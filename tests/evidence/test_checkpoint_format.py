"""Checkpoints are C2SP signed notes that other implementations accept, and forgeries fail.

The Go reference vector (golang.org/x/mod/sumdb/note, "PeterNeumann") anchors the wire format:
Ed25519 is deterministic, so signing the same text with the same key must give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.evidence.checkpoint import (
    CheckpointError,
    checkpoint_body,
    ed25519_verify,
    key_id,
    open_checkpoint,
    parse_checkpoint_body,
    parse_note,
    parse_verifier_key,
    sign_note,
    verifier_key,
)

GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY_MATERIAL = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || Ed25519 seed
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
GO_NOTE = f"{GO_TEXT}\n— PeterNeumann {GO_SIGNATURE}\n"
ORIGIN = "dalil/testinstallation"


def go_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(GO_SKEY_MATERIAL)[1:])


def test_the_go_reference_note_is_reproduced_byte_for_byte() -> None:
    private = go_private_key()
    verifier = parse_verifier_key(GO_VKEY)
    assert verifier_key("PeterNeumann", verifier.public_key) == GO_VKEY
    assert key_id("PeterNeumann", verifier.public_key).hex() == "c74f20a3"
    assert sign_note(GO_TEXT, "PeterNeumann", verifier.public_key, private.sign) == GO_NOTE
    body, signatures = parse_note(GO_NOTE)
    assert body == GO_TEXT
    assert signatures[0].key_id == verifier.key_id
    assert ed25519_verify(verifier.public_key, signatures[0].signature, body.encode())


def test_key_id_is_the_spec_formula() -> None:
    public = bytes(range(32))
    expected = hashlib.sha256(b"example.com/log\n\x01" + public).digest()[:4]
    assert key_id("example.com/log", public) == expected


@pytest.fixture(scope="module")
def signer() -> tuple[Ed25519PrivateKey, bytes]:
    private = Ed25519PrivateKey.generate()
    return private, private.public_key().public_bytes_raw()


def make(signer, size: int = 7, root: bytes = b"\x11" * 32, origin: str = ORIGIN) -> str:
    private, public = signer
    return sign_note(checkpoint_body(origin, size, root), ORIGIN, public, private.sign)


def verifiers(signer):
    return [parse_verifier_key(verifier_key(ORIGIN, signer[1]))]


def test_a_checkpoint_round_trips(signer) -> None:
    note = make(signer, 20852163, bytes(range(32)))
    assert note.startswith(f"{ORIGIN}\n20852163\n{base64.b64encode(bytes(range(32))).decode()}\n\n")
    cp = open_checkpoint(note, verifiers(signer), ORIGIN)
    assert (cp.origin, cp.size, cp.root_hash) == (ORIGIN, 20852163, bytes(range(32)))
    assert cp.signed_by == (ORIGIN,)
    assert cp.signature_checked
    assert cp.to_dict()["tree_size"] == 20852163


def test_forged_unknown_or_foreign_checkpoints_are_refused(signer) -> None:
    note = make(signer)
    with pytest.raises(CheckpointError, match="forged"):
        open_checkpoint(note.replace("\n7\n", "\n8\n"), verifiers(signer), ORIGIN)
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(CheckpointError, match="not signed by any known key"):
        open_checkpoint(
            make((stranger, stranger.public_key().public_bytes_raw())), verifiers(signer), ORIGIN
        )
    with pytest.raises(CheckpointError, match="not signed by any known key"):
        open_checkpoint(note, [], ORIGIN)
    other_log = make(signer, origin="dalil/elsewhere")
    with pytest.raises(CheckpointError, match="is for log 'dalil/elsewhere'"):
        open_checkpoint(other_log, verifiers(signer), ORIGIN)


def test_a_known_key_signature_that_fails_rejects_the_note_even_beside_a_good_one(signer) -> None:
    note = make(signer)
    good_line = note.splitlines()[-1]
    name, blob = good_line.removeprefix("— ").split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    bad_line = f"— {name} {base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(CheckpointError, match="forged"):
        open_checkpoint(f"{note}{bad_line}\n", verifiers(signer), ORIGIN)


def test_unknown_extra_signatures_are_ignored(signer) -> None:
    witness = Ed25519PrivateKey.generate()
    note = make(signer)
    body = note[: note.index("\n\n") + 1]
    cosigned = sign_note(
        body, "witness.example", witness.public_key().public_bytes_raw(), witness.sign
    )
    both = note + cosigned.splitlines()[-1] + "\n"
    assert open_checkpoint(both, verifiers(signer), ORIGIN).size == 7


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n.rstrip("\n"),  # no final newline
        lambda n: n.replace("— ", "-- "),  # not an em dash
        lambda n: n.replace("\n7\n", "\n07\n"),  # leading zero
        lambda n: n.replace("\n7\n", "\n-7\n"),
        lambda n: n.replace("\n7\n", "\n\n"),
        lambda n: n.replace(ORIGIN + "\n", ORIGIN + " x\n", 1),
        lambda n: n.replace("=\n", "\n"),  # not base64 any more
        lambda n: n + "\n",  # trailing empty line
        lambda n: n.replace("\n", "\r\n"),  # control characters
        lambda n: n[: n.index("\n\n") + 2],  # truncated: no signature line
        lambda n: n[: len(n) // 2],  # truncated anywhere
        lambda n: "",
    ],
)
def test_malformed_or_truncated_notes_are_refused(signer, mangle) -> None:
    with pytest.raises(CheckpointError):
        open_checkpoint(mangle(make(signer)), verifiers(signer), ORIGIN)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_bit_flip_in_a_checkpoint_is_refused(signer, data) -> None:
    raw = make(signer, 12345, hashlib.sha256(b"root").digest()).encode()
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    changed = bytearray(raw)
    changed[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises((CheckpointError, UnicodeDecodeError)):
        open_checkpoint(bytes(changed).decode("utf-8"), verifiers(signer), ORIGIN)


def test_verifier_keys_are_checked() -> None:
    assert parse_verifier_key(GO_VKEY).name == "PeterNeumann"
    # transparency-dev/formats' test key, whose base64 contains a "+"
    assert (
        parse_verifier_key("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").name
        == "TEST"
    )
    for bad in [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),
        GO_VKEY.replace("+ARpc", "+AhRpc"),
        GO_VKEY.replace("PeterNeumann", "Peter Neumann"),
        GO_VKEY + "+x",
        GO_VKEY[:-2],
    ]:
        with pytest.raises(CheckpointError):
            parse_verifier_key(bad)


def test_checkpoint_bodies_parse_strictly() -> None:
    root = base64.b64encode(b"\x00" * 32).decode()
    assert parse_checkpoint_body(f"o\n0\n{root}\n") == ("o", 0, b"\x00" * 32)
    assert parse_checkpoint_body(f"o\n1\n{root}\next\n")[1] == 1
    for bad in [f"o\n1\n{root}", f"o\n1\n{root}\n\n", f"o\n1\n{root[:-4]}\n", f"\n1\n{root}\n"]:
        with pytest.raises(CheckpointError):
            parse_checkpoint_body(bad)
