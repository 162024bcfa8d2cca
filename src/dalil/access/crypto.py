"""AES-256-GCM envelope encryption: a master key wraps one data key per case.

The master key comes from a key file (mode 0600 or stricter, outside ``DALIL_HOME`` so it is never
stored or backed up beside the data) or from ``DALIL_MASTER_KEY``. Associated data binds every
ciphertext to where it belongs, so a ciphertext moved elsewhere fails to decrypt. This module must
never log, print or put into an exception message a key or a plaintext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dalil.access.settings import AccessSettings
from dalil.errors import ConfigError, DalilError

KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionFailed(DalilError):
    """A ciphertext did not authenticate: wrong key, or altered or moved data."""


@dataclass(frozen=True)
class MasterKey:
    """The installation's key-encryption key. ``repr`` never shows the key."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise ConfigError("the master key must be 32 bytes (base64 of 32 random bytes)")

    @property
    def key_id(self) -> str:
        """A public fingerprint naming this key (16 hex), safe to store and print."""
        return hashlib.sha256(b"dalil-master-key-id\x00" + self.key).hexdigest()[:16]

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    def encoded(self) -> str:
        return base64.b64encode(self.key).decode("ascii")


def decode_key(text: str, where: str) -> MasterKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where} is not base64 of a 32-byte key") from None
    if len(raw) != KEY_BYTES:
        raise ConfigError(f"{where} is not base64 of a 32-byte key")
    return MasterKey(raw)


def read_key_file(path: Path, home: Path | None) -> MasterKey:
    """The key in ``path``, refused if others may read it or it lies inside ``home``."""
    path = path.expanduser()
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the master key file {path}: {exc.strerror}",
            hint="create one with `dalil keys generate PATH` and set DALIL_MASTER_KEY_FILE",
        ) from None
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise ConfigError(
            f"the master key file {path} is readable by others "
            f"(mode {stat.S_IMODE(info.st_mode):04o})",
            hint=f"chmod 600 {path}",
        )
    if home is not None and path.resolve().is_relative_to(home.expanduser().resolve()):
        raise ConfigError(
            f"the master key file {path} is inside DALIL_HOME, beside the data it protects",
            hint="keep it elsewhere (another disk, a hardware token, a secrets manager)",
        )
    return decode_key(path.read_text(encoding="ascii", errors="replace"), "the master key file")


def load_master_key(settings: AccessSettings, home: Path | None) -> MasterKey:
    """The master key from DALIL_MASTER_KEY_FILE or DALIL_MASTER_KEY (exactly one)."""
    if settings.master_key_file is not None and settings.master_key is not None:
        raise ConfigError("set DALIL_MASTER_KEY_FILE or DALIL_MASTER_KEY, not both")
    if settings.master_key_file is not None:
        return read_key_file(settings.master_key_file, home)
    if settings.master_key is not None:
        return decode_key(settings.master_key.get_secret_value(), "DALIL_MASTER_KEY")
    raise ConfigError(
        "no master key: confidential values cannot be encrypted or read",
        hint="set DALIL_MASTER_KEY_FILE (see `dalil keys generate`) or DALIL_MASTER_KEY",
    )


def write_key_file(path: Path, key: MasterKey, home: Path | None) -> None:
    """Create ``path`` (mode 0600, never overwriting) holding ``key``."""
    path = path.expanduser()
    if home is not None and path.resolve().is_relative_to(home.expanduser().resolve()):
        raise ConfigError(f"{path} is inside DALIL_HOME; keep the master key elsewhere")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path} exists; a key file is never overwritten") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.encoded() + "\n")
        out.flush()
        os.fsync(out.fileno())


def aad(*parts: str) -> bytes:
    """Associated data: the parts, length-prefixed so no two tuples give the same bytes."""
    return b"".join(len(p.encode()).to_bytes(4, "big") + p.encode() for p in parts)


def seal(key: bytes, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
    """(nonce, ciphertext+tag) under a fresh random 96-bit nonce."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
    """The plaintext, or :class:`DecryptionFailed` (which names no value)."""
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, associated)
    except (InvalidTag, ValueError):
        raise DecryptionFailed(
            "a confidential value failed to decrypt: wrong master key, or the stored data was "
            "altered or moved",
            hint="check DALIL_MASTER_KEY_FILE; if the key is right, the database was tampered with",
        ) from None


def wrap(master: MasterKey, data_key: bytes, context: bytes) -> bytes:
    nonce, sealed = seal(master.key, data_key, context)
    return nonce + sealed


def unwrap(master: MasterKey, wrapped: bytes, context: bytes) -> bytes:
    return open_sealed(master.key, wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context)
