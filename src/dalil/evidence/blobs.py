"""Content-addressed, write-once storage of original bytes (and, apart, of derivatives).

A blob is named by its SHA-256 (``sha256:<hex>``). Bytes are streamed to a temporary file in the
store, hashed on the way (SHA-256, and BLAKE3 in a second thread), fsynced, then renamed into
place and made read-only; the folder is fsynced too. A crash at any point leaves either no blob or
a complete one, never a partial original. An original is never opened for writing again.

``BlobStore`` is the interface; :class:`LocalBlobStore` keeps blobs under ``$DALIL_HOME/blobs``
(originals) and ``$DALIL_HOME/derivatives``. An S3-compatible store can implement the same
protocol later.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

import blake3

from dalil.errors import InvalidInput, NotFound

CHUNK = 1 << 20  # 1 MiB: hashlib and file writes release the GIL at this size
HASH_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
Area = Literal["originals", "derivatives"]


def check_hash(value: str) -> str:
    value = (value or "").strip().lower()
    if not HASH_RE.match(value):
        raise InvalidInput("hash", f"{value[:80]!r} is not a sha256:<64 hex digits> hash")
    return value


@dataclass(frozen=True)
class StoredBlob:
    sha256: str  # "sha256:<hex>"
    blake3: str | None
    size: int
    created: bool  # False when identical bytes were stored already


class BlobStore(Protocol):
    def put(
        self, stream: BinaryIO, *, area: Area = "originals", progress: Callable[[int], None] | None
    ) -> StoredBlob: ...

    def open(self, sha256: str, *, area: Area = "originals") -> BinaryIO: ...

    def exists(self, sha256: str, *, area: Area = "originals") -> bool: ...

    def rehash(self, sha256: str, *, area: Area = "originals") -> str: ...

    def iter_hashes(self, *, area: Area = "originals") -> Iterator[str]: ...


class LocalBlobStore:
    """Blobs as read-only files: ``<root>/<area>/sha256/ab/cd/<hex>``."""

    def __init__(self, root: Path, *, second_hash: bool = True) -> None:
        self.root = root
        self.second_hash = second_hash

    def _path(self, sha256: str, area: Area) -> Path:
        hexdigest = check_hash(sha256).split(":", 1)[1]
        return self.root / area / "sha256" / hexdigest[:2] / hexdigest[2:4] / hexdigest

    def path(self, sha256: str, *, area: Area = "originals") -> Path:
        return self._path(sha256, area)

    def put(
        self,
        stream: BinaryIO,
        *,
        area: Area = "originals",
        progress: Callable[[int], None] | None = None,
    ) -> StoredBlob:
        incoming = self.root / area / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256()
        b3 = blake3.blake3() if self.second_hash else None
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix=".part-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, ThreadPoolExecutor(max_workers=1) as pool:
                while chunk := stream.read(CHUNK):
                    pending = pool.submit(b3.update, chunk) if b3 is not None else None
                    sha.update(chunk)
                    out.write(chunk)
                    if pending is not None:
                        pending.result()
                    size += len(chunk)
                    if progress is not None:
                        progress(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            digest = f"sha256:{sha.hexdigest()}"
            final = self._path(digest, area)
            if final.exists():
                tmp.unlink()
                return StoredBlob(digest, b3.hexdigest() if b3 else None, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return StoredBlob(digest, b3.hexdigest() if b3 else None, size, created=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_bytes(self, data: bytes, *, area: Area = "derivatives") -> StoredBlob:
        import io

        return self.put(io.BytesIO(data), area=area)

    def open(self, sha256: str, *, area: Area = "originals") -> BinaryIO:
        path = self._path(sha256, area)
        if not path.is_file():
            raise NotFound(f"no {area[:-1]} blob {sha256}")
        return path.open("rb")

    def exists(self, sha256: str, *, area: Area = "originals") -> bool:
        return self._path(sha256, area).is_file()

    def rehash(self, sha256: str, *, area: Area = "originals") -> str:
        """The SHA-256 of the bytes stored under ``sha256`` now (equal unless tampered with)."""
        sha = hashlib.sha256()
        with self.open(sha256, area=area) as handle:
            while chunk := handle.read(CHUNK):
                sha.update(chunk)
        return f"sha256:{sha.hexdigest()}"

    def iter_hashes(self, *, area: Area = "originals") -> Iterator[str]:
        base = self.root / area / "sha256"
        if not base.is_dir():
            return
        for path in sorted(base.glob("??/??/*")):
            if path.is_file() and len(path.name) == 64:
                yield f"sha256:{path.name}"

    def leftovers(self, *, area: Area = "originals") -> list[Path]:
        """Temporary files left by an interrupted ingest (safe to delete; never originals)."""
        incoming = self.root / area / "incoming"
        return sorted(incoming.glob(".part-*")) if incoming.is_dir() else []


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
