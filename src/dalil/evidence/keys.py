"""The installation's Ed25519 key that signs custody-log checkpoints.

One key per installation, in ``$DALIL_HOME/keys/custody-ed25519.pem`` (PKCS #8, mode 0600, folder
0700), created on first use. Creation is atomic: the key is written to a private temporary file,
synced, then hard-linked into place, so two processes starting together end up with one key and
nobody ever reads half a key. The log's origin and key name are ``dalil/<installation id>``, the
ID derived from the public key.

This module must never log, print, return or ``repr`` the private key, and never loosen the key
file's permissions: a key file readable by others is refused, not used.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dalil.config import load_settings
from dalil.errors import ConfigError
from dalil.evidence.checkpoint import Verifier, key_id, verifier_key

KEY_FILE = "custody-ed25519.pem"


def installation_id(public_key: bytes) -> str:
    """A short, stable name for the installation, derived from its public key."""
    digest = hashlib.sha256(b"dalil installation\n" + public_key).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


class LogKey:
    """The signing key of this installation's custody log. Its ``repr`` names only the key."""

    __slots__ = ("_private", "key_id", "name", "public_key")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_key = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.name = f"dalil/{installation_id(self.public_key)}"
        self.key_id = key_id(self.name, self.public_key)

    @property
    def origin(self) -> str:
        """The log's origin line in its checkpoints (the same as the key name)."""
        return self.name

    @property
    def verifier_key(self) -> str:
        """The public verifier key, ``<name>+<hex key ID>+<base64 key>``, safe to publish."""
        return verifier_key(self.name, self.public_key)

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.public_key)

    def public_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo), for tools other than Dalil."""
        return (
            self._private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"LogKey({self.verifier_key!r})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("the log's signing key is not picklable")


def key_path(home: Path) -> Path:
    return home / "keys" / KEY_FILE


def _load(path: Path) -> LogKey:
    mode = path.stat().st_mode
    if mode & 0o077:
        raise ConfigError(
            f"the log signing key {path} is readable by other users",
            hint=f"run `chmod 600 {path}` (and check who may have copied it)",
        )
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise ConfigError(
            f"the log signing key {path} is not a readable Ed25519 key",
            hint="restore it from your backup; a new key cannot sign for the old log",
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"the log signing key {path} is not an Ed25519 key")
    return LogKey(private)


def _create(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, pem)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)  # fails if another process won the race: keep theirs
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_key(home: Path, *, create: bool = True) -> LogKey:
    """The installation's signing key under ``home``, created on first use when ``create``."""
    path = key_path(home)
    if not path.exists():
        if not create:
            raise ConfigError(
                f"no log signing key at {path}", hint="run `dalil log checkpoint` to create one"
            )
        _create(path)
    return _load(path)


def installation_key(home: Path | None = None) -> LogKey:
    """The signing key of the installation configured by ``DALIL_HOME`` (or ``home``)."""
    return load_key(load_settings().home if home is None else home)
