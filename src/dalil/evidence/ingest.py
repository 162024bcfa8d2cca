"""Ingest: originals into the blob store, their records into the database, a custody event each.

Per file: stream into the store (hashing on the way) → check the supplier's hash → in one
transaction, record the blob, the item (or find the item these bytes already are), the
acquisition, the extracted metadata (a derivative), and the custody event. A crash after the blob
is stored and before the commit leaves a complete, unreferenced blob that the next ingest of the
same bytes adopts; never a partial original and never a half-written record.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil import __version__
from dalil.db import Case, Database, Source, new_id
from dalil.db.models_evidence_items import Acquisition, Blob, Derivative, EvidenceItem
from dalil.documentation import get_case, get_entity
from dalil.errors import InvalidInput
from dalil.evidence import custody
from dalil.evidence.blobs import CHUNK, LocalBlobStore, StoredBlob
from dalil.evidence.media import probe

TOOL = f"dalil {__version__}"
SUPPLIER = re.compile(r"^(?:(sha256|sha1|md5|sha512):)?([0-9a-fA-F]+)$")
LENGTHS = {64: "sha256", 40: "sha1", 32: "md5", 128: "sha512"}


def parse_supplier_hash(value: str | None) -> tuple[str, str] | None:
    """``sha256:<hex>``, ``md5:<hex>``… or bare hex (algorithm from its length)."""
    if value is None or not value.strip():
        return None
    match = SUPPLIER.match(value.strip())
    algorithm = match.group(1) if match else None
    digest = match.group(2).lower() if match else ""
    algorithm = algorithm or LENGTHS.get(len(digest))
    if not match or algorithm is None or hashlib.new(algorithm).digest_size * 2 != len(digest):
        raise InvalidInput(
            "supplier_hash", "give sha256:<hex>, sha1:<hex>, md5:<hex> or sha512:<hex>"
        )
    return algorithm, digest


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named, and files inside folders named (sorted); refuses what is not there."""
    files: list[Path] = []
    for path in paths:
        if path.is_symlink():
            raise InvalidInput("path", f"{path} is a symbolic link; give the file it points to")
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInput("path", f"{path} does not exist or is not a regular file")
    if not files:
        raise InvalidInput("path", "no files to ingest")
    return files


@dataclass
class Acquired:
    """What one file's ingest did."""

    path: str
    item_id: str
    sha256: str
    size: int
    new_item: bool
    new_blob: bool
    supplier_hash_ok: bool | None
    media_type: str | None
    media_error: str | None
    log_index: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _supplier_check(
    store: LocalBlobStore, sha256: str, supplier: tuple[str, str] | None
) -> bool | None:
    if supplier is None:
        return None
    algorithm, digest = supplier
    if algorithm == "sha256":
        return sha256 == f"sha256:{digest}"
    hasher = hashlib.new(algorithm)
    with store.open(sha256) as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest() == digest


def ingest_file(
    db: Database,
    store: LocalBlobStore,
    path: Path,
    *,
    case: str,
    source: str,
    actor: str,
    collected_by: str | None = None,
    acquired_from: str | None = None,
    supplier_hash: str | None = None,
    note: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Acquired:
    supplier = parse_supplier_hash(supplier_hash)
    with db.reader() as session:  # fail fast on a wrong case or source, before any copying
        case_id = get_case(session, case).id
        source_id = get_entity(session, source, Source, case=get_case(session, case)).id
    with path.open("rb") as handle:
        stored = store.put(handle, progress=progress)
    supplier_ok = _supplier_check(store, stored.sha256, supplier)
    media = probe(store.path(stored.sha256))
    with db.transaction(actor) as session:
        case_row = session.get(Case, case_id)
        assert case_row is not None
        if session.get(Blob, stored.sha256) is None:
            session.add(
                Blob(
                    sha256=stored.sha256,
                    area="originals",
                    size=stored.size,
                    blake3=stored.blake3,
                    media_type=media.media_type,
                )
            )
        item = session.scalar(
            select(EvidenceItem).where(
                EvidenceItem.case_id == case_id, EvidenceItem.sha256 == stored.sha256
            )
        )
        new_item = item is None
        if item is None:
            item = EvidenceItem(
                id=new_id("evidence_item"),
                case_id=case_id,
                sha256=stored.sha256,
                source_id=source_id,
                name=path.name,
                size=stored.size,
                media_type=media.media_type,
                media=media.to_dict(),
                media_error=media.error,
                created_by=actor,
            )
            session.add(item)
            session.flush()
            _store_metadata(session, store, item, media.to_dict())
        before = session.scalar(
            select(func.count()).select_from(Acquisition).where(Acquisition.item_id == item.id)
        )
        acquisition = Acquisition(
            id=new_id("acquisition"),
            item_id=item.id,
            filename=path.name,
            collected_by=collected_by or actor,
            acquired_from=acquired_from,
            supplier_hash=None if supplier is None else f"{supplier[0]}:{supplier[1]}",
            supplier_hash_ok=supplier_ok,
            tool=TOOL,
            note=note,
        )
        session.add(acquisition)
        session.flush()
        acquisition.log_index = custody.record(
            session,
            "ingest",
            item,
            actor=actor,
            previous_state="new" if new_item else f"known item, {before} earlier acquisition(s)",
            details={
                "acquisition": acquisition.id,
                "filename": path.name,
                "size": stored.size,
                "blake3": stored.blake3,
                "supplier_hash": acquisition.supplier_hash,
                "supplier_hash_ok": supplier_ok,
                "tool": TOOL,
            },
        )
        return Acquired(
            path=str(path),
            item_id=item.id,
            sha256=stored.sha256,
            size=stored.size,
            new_item=new_item,
            new_blob=stored.created,
            supplier_hash_ok=supplier_ok,
            media_type=media.media_type,
            media_error=media.error,
            log_index=acquisition.log_index,
        )


def _store_metadata(
    session: Session, store: LocalBlobStore, item: EvidenceItem, media: dict[str, Any]
) -> None:
    """The extracted metadata as its own hashed derivative, beside (never inside) the original."""
    data = json.dumps(media, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    stored = store.put_bytes(data, area="derivatives")
    register_derivative(session, item.id, stored, "metadata", "application/json")


def register_derivative(
    session: Session,
    item_id: str,
    stored: StoredBlob,
    kind: str,
    media_type: str,
    timestamp: float | None = None,
) -> Derivative:
    """Record bytes derived from an item (already in the store's derivatives area)."""
    if session.get(Blob, stored.sha256) is None:
        session.add(
            Blob(
                sha256=stored.sha256,
                area="derivatives",
                size=stored.size,
                blake3=stored.blake3,
                media_type=media_type,
            )
        )
    derivative = Derivative(
        id=new_id("derivative"),
        item_id=item_id,
        sha256=stored.sha256,
        kind=kind,
        timestamp=timestamp,
        tool=TOOL,
    )
    session.add(derivative)
    return derivative
