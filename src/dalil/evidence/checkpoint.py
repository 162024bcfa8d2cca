"""Checkpoints of the custody log in the C2SP signed-note and tlog-checkpoint formats.

A checkpoint is a signed note whose text is ``<origin>\\n<tree size>\\n<base64 root hash>\\n``,
then a blank line and signature lines ``— <key name> <base64(4-byte key ID || signature)>``, the
key ID being ``SHA-256(key name || 0x0A || 0x01 || Ed25519 public key)[:4]``
(c2sp.org/signed-note, c2sp.org/tlog-checkpoint). Verifier keys are shared as
``<name>+<hex key ID>+<base64(0x01 || public key)>``.

:func:`open_checkpoint` accepts a note only if it is well formed, carries the expected origin and
a valid signature by a known key, and no signature by a known key fails. This module must never
import from ``dalil`` nor anything outside the standard library except, optionally,
``cryptography`` for the Ed25519 check (it is copied into the court bundles' ``verify.py``). It
never holds a private key: signing goes through a callable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

try:  # optional: a court bundle's verifier may run where cryptography is not installed
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    HAVE_ED25519 = True
except ImportError:  # pragma: no cover - exercised only without cryptography
    HAVE_ED25519 = False

ED25519 = 0x01
MAX_SIGNATURES = 100
MAX_NOTE_BYTES = 1 << 20
DASH = "\u2014 "


class CheckpointError(ValueError):
    """A note or checkpoint that is malformed, forged, unknown or for another log."""


@dataclass(frozen=True)
class Verifier:
    """A public key a checkpoint may be signed with."""

    name: str
    key_id: bytes
    public_key: bytes


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint that was parsed and, when ``signature_checked``, verified."""

    origin: str
    size: int
    root_hash: bytes
    text: str
    signed_by: tuple[str, ...] = ()
    signature_checked: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "tree_size": self.size,
            "root_hash": self.root_hash.hex(),
            "note": self.text,
            "signed_by": list(self.signed_by),
            "signature_checked": self.signature_checked,
        }


def check_name(name: str) -> str:
    """A key name or origin: non-empty, no spaces of any kind, no plus sign, no newline."""
    if not name or "+" in name or any(c.isspace() or ord(c) < 0x20 for c in name):
        raise CheckpointError(f"invalid key name or origin {name!r}")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    data = check_name(name).encode("utf-8") + b"\n" + bytes([ED25519]) + public_key
    return hashlib.sha256(data).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The shareable verifier key string ``<name>+<hex key ID>+<base64(0x01 || key)>``."""
    if len(public_key) != 32:
        raise CheckpointError("an Ed25519 public key is 32 bytes")
    encoded = base64.b64encode(bytes([ED25519]) + public_key).decode("ascii")
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def _b64(text: str, what: str) -> bytes:
    """Strict base64: only the canonical encoding (unused low bits zero) is accepted."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointError(f"{what} is not base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64")
    return raw


def parse_verifier_key(vkey: str) -> Verifier:
    """Parse and check a verifier key string (its key ID must match its key)."""
    parts = vkey.strip().split("+", 2)  # the base64 key itself may contain "+"
    if len(parts) != 3:
        raise CheckpointError("a verifier key is <name>+<hex key ID>+<base64 key>")
    name, hex_id, encoded = parts
    check_name(name)
    raw = _b64(encoded, "verifier key")
    if len(raw) != 33 or raw[0] != ED25519:
        raise CheckpointError("verifier key is not an Ed25519 key")
    public_key = raw[1:]
    if hex_id != key_id(name, public_key).hex():
        raise CheckpointError("verifier key ID does not match its key")
    return Verifier(name, key_id(name, public_key), public_key)


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The note text of a checkpoint (what is signed)."""
    if size < 0 or len(root) != 32:
        raise CheckpointError("a checkpoint needs a size >= 0 and a 32-byte root hash")
    return f"{check_name(origin)}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def sign_note(body: str, name: str, public_key: bytes, sign: Callable[[bytes], bytes]) -> str:
    """A signed note of ``body`` with one Ed25519 signature made by ``sign``."""
    signature = sign(body.encode("utf-8"))
    if len(signature) != 64:
        raise CheckpointError("an Ed25519 signature is 64 bytes")
    line = base64.b64encode(key_id(name, public_key) + signature).decode("ascii")
    return f"{body}\n{DASH}{name} {line}\n"


def parse_note(text: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signatures, checking the syntax only."""
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise CheckpointError("a note is text of at most 1 MiB")
    if any(ord(c) < 0x20 and c != "\n" for c in text) or not text.endswith("\n"):
        raise CheckpointError("a note ends with a newline and holds no control characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError("a note must be valid UTF-8") from None
    split = text.rfind("\n\n")
    if split < 0:
        raise CheckpointError("a note needs a blank line before its signatures")
    body, lines = text[: split + 1], text[split + 2 : -1].split("\n")
    if not 1 <= len(lines) <= MAX_SIGNATURES:
        raise CheckpointError(f"a note carries 1 to {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        if not line.startswith(DASH):
            raise CheckpointError("a signature line starts with an em dash and a space")
        fields = line[len(DASH) :].split(" ")
        if len(fields) != 2:
            raise CheckpointError("a signature line is '— <key name> <base64 signature>'")
        name, raw = check_name(fields[0]), _b64(fields[1], "signature")
        if len(raw) < 5:
            raise CheckpointError("a signature is a key ID and at least one byte")
        signatures.append(NoteSignature(name, raw[:4], raw[4:]))
    return body, signatures


def parse_checkpoint_body(body: str) -> tuple[str, int, bytes]:
    """(origin, tree size, root hash) of a checkpoint's note text."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise CheckpointError("a checkpoint is at least three non-empty lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    check_name(origin)
    if (
        not size_text.isascii()
        or not size_text.isdigit()
        or (len(size_text) > 1 and size_text[0] == "0")
    ):
        raise CheckpointError("the tree size is a decimal number without leading zeros")
    root = _b64(root_text, "root hash")
    if len(root) != 32:
        raise CheckpointError("the root hash is 32 bytes")
    return origin, int(size_text), root


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Check an Ed25519 signature (needs ``cryptography``: see ``HAVE_ED25519``)."""
    if not HAVE_ED25519:
        raise CheckpointError("cannot check Ed25519 signatures: install 'cryptography'")
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def open_checkpoint(
    text: str, verifiers: Sequence[Verifier], origin: str, *, check_signature: bool = True
) -> Checkpoint:
    """Parse a checkpoint and verify it; raises :class:`CheckpointError` unless it is sound.

    With ``check_signature=False`` (only for readers without ``cryptography``) the syntax, origin
    and key are checked, and the result says ``signature_checked=False``.
    """
    body, signatures = parse_note(text)
    found, signers = False, []
    for sig in signatures:
        for known in verifiers:
            if sig.name != known.name or sig.key_id != known.key_id:
                continue  # unknown keys are ignored, as the spec requires
            found = True
            if check_signature and not ed25519_verify(
                known.public_key, sig.signature, body.encode("utf-8")
            ):
                raise CheckpointError(f"the signature by {sig.name} does not verify: forged")
            signers.append(sig.name)
    if not found:
        raise CheckpointError("the checkpoint is not signed by any known key")
    got_origin, size, root = parse_checkpoint_body(body)
    if got_origin != origin:
        raise CheckpointError(f"the checkpoint is for log {got_origin!r}, not {origin!r}")
    return Checkpoint(got_origin, size, root, text, tuple(signers), check_signature)
