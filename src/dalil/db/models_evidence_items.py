"""Tables of the evidence locker's items: blobs, items, acquisitions, derivatives, fingerprints.

Originals live in the blob store; these rows say what they are, where they came from and what was
derived from them. Custody events are leaves of the Merkle log (``models_evidence.py``). Rows here
are added, never rewritten, except an item's metadata when extraction is re-run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dalil.db.base import ID, TERM, Base
from dalil.db.types import utcnow

HASH = String(71)  # "sha256:" + 64 hex digits


class Blob(Base):
    """Bytes known to the store, by content hash; shared by every case that holds them."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(HASH, primary_key=True)
    area: Mapped[str] = mapped_column(String(16))  # originals | derivatives
    size: Mapped[int] = mapped_column(BigInteger)
    blake3: Mapped[str | None] = mapped_column(String(64))
    media_type: Mapped[str | None] = mapped_column(String(128))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceItem(Base):
    """One original in one case; acquiring the same bytes again adds an acquisition, not an item."""

    __tablename__ = "evidence_items"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    name: Mapped[str]
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(128))
    media: Mapped[dict[str, Any] | None]
    media_error: Mapped[str | None]
    sensitivity: Mapped[str] = mapped_column(TERM, default="restricted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))

    __table_args__ = (UniqueConstraint("case_id", "sha256"),)


class Acquisition(Base):
    """One receipt of an item's bytes: from whom, by whom, how, when, with what hash."""

    __tablename__ = "evidence_acquisitions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    filename: Mapped[str]
    collected_by: Mapped[str] = mapped_column(String(256))
    acquired_from: Mapped[str | None] = mapped_column(String(512))
    supplier_hash: Mapped[str | None] = mapped_column(String(160))
    supplier_hash_ok: Mapped[bool | None] = mapped_column(Boolean)
    tool: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    log_index: Mapped[int | None] = mapped_column(BigInteger)


class Derivative(Base):
    """Bytes made from an original (metadata, thumbnail, keyframe, transcode), kept apart."""

    __tablename__ = "evidence_derivatives"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    kind: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[float | None] = mapped_column(Float)
    tool: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Fingerprint(Base):
    """A perceptual hash of an image, or of one sampled frame of a video (PDQ, 256 bits)."""

    __tablename__ = "evidence_fingerprints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_items.id"))
    algorithm: Mapped[str] = mapped_column(String(16))
    timestamp: Mapped[float | None] = mapped_column(Float)
    hash: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index(None, "item_id", "algorithm"),)
