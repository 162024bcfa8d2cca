"""Analysis of originals: perceptual fingerprints (PDQ, vPDQ), keyframe thumbnails, near-duplicates.

Fingerprinting reads an original through the blob store (never writes it), stores hashes as rows
and thumbnails as derivatives, and records one ``analysis`` custody event per item. Similarity
compares items of one case only: a match across cases would tell one case's members about
another's material. Results are candidates for a person to review, never a decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from dalil.db import Database
from dalil.db.models_evidence_items import EvidenceItem, Fingerprint
from dalil.errors import InvalidInput
from dalil.evidence import custody
from dalil.evidence.blobs import LocalBlobStore
from dalil.evidence.fingerprint import (
    MIN_QUALITY,
    UndecodableMedia,
    fingerprint_video,
    pdq_image_crops,
)
from dalil.evidence.ingest import TOOL, register_derivative
from dalil.evidence.similarity import Candidate, HashIndex


@dataclass
class Analysed:
    item_id: str
    kind: str
    hashes: int
    thumbnails: int
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def kind_of(item: EvidenceItem) -> str:
    return str((item.media or {}).get("kind") or "other")


def fingerprint_item(
    db: Database,
    store: LocalBlobStore,
    item_id: str,
    *,
    actor: str,
    progress: Callable[[float, float | None], None] | None = None,
) -> Analysed:
    """Fingerprint one image or video item (again, replacing earlier hashes)."""
    with db.reader() as session:
        item = session.get(EvidenceItem, item_id)
        if item is None:
            raise InvalidInput("item", f"no evidence item {item_id!r}")
        kind, sha256 = kind_of(item), item.sha256
    path = store.path(sha256)
    rows: list[tuple[float | None, str, str, int]] = []
    thumbs: list[tuple[float, bytes]] = []
    error: str | None = None
    try:
        if kind == "image":
            rows = [(None, h.algorithm, h.hash, h.quality) for h in pdq_image_crops(path)]
        elif kind == "video":
            video = fingerprint_video(path, progress=progress)
            rows = [(f.timestamp, f.algorithm, f.hash, f.quality) for f in video.frames]
            thumbs = [(t.timestamp, t.jpeg) for t in video.thumbnails]
            error = video.error
        else:
            return Analysed(item_id, kind, 0, 0, "not an image or video: nothing to fingerprint")
    except UndecodableMedia as exc:
        error = exc.message
    stored = [(t, store.put_bytes(jpeg, area="derivatives")) for t, jpeg in thumbs]
    with db.transaction(actor) as session:
        item = session.get(EvidenceItem, item_id)
        assert item is not None
        session.execute(delete(Fingerprint).where(Fingerprint.item_id == item_id))
        session.add_all(
            Fingerprint(item_id=item_id, algorithm=a, timestamp=t, hash=h, quality=q)
            for t, a, h, q in rows
        )
        for timestamp, blob in stored:
            register_derivative(session, item_id, blob, "keyframe", "image/jpeg", timestamp)
        session.flush()
        custody.record(
            session,
            "analysis",
            item,
            actor=actor,
            details={
                "analysis": "vpdq" if kind == "video" else "pdq",
                "hashes": len(rows),
                "thumbnails": [b.sha256 for _, b in stored],
                "error": error,
                "tool": TOOL,
            },
        )
    return Analysed(item_id, kind, len(rows), len(stored), error)


def unanalysed(db: Database, case_id: str) -> list[str]:
    """Image and video items of a case that have no fingerprints yet."""
    with db.reader() as session:
        done = select(Fingerprint.item_id).distinct()
        items = session.scalars(
            select(EvidenceItem).where(
                EvidenceItem.case_id == case_id, EvidenceItem.id.not_in(done)
            )
        )
        return [i.id for i in items if kind_of(i) in ("image", "video")]


def similar(db: Database, item_id: str, *, limit: int = 20) -> list[Candidate]:
    """Items of the same case that look like ``item_id`` (re-encoded, resized, cut, cropped)."""
    with db.reader() as session:
        item = session.get(EvidenceItem, item_id)
        if item is None:
            raise InvalidInput("item", f"no evidence item {item_id!r}")
        rows = session.execute(
            select(
                Fingerprint.item_id, Fingerprint.timestamp, Fingerprint.algorithm, Fingerprint.hash
            )
            .join(EvidenceItem, EvidenceItem.id == Fingerprint.item_id)
            .where(EvidenceItem.case_id == item.case_id, Fingerprint.quality >= MIN_QUALITY)
        ).all()
    if not any(r[0] == item_id for r in rows):
        raise InvalidInput(
            "item", f"{item_id} has no fingerprints", hint="run `dalil evidence fingerprint` first"
        )
    index = HashIndex()
    index.add_rows((r[0], r[1], r[2], r[3]) for r in rows)
    return index.similar(item_id, limit=limit)
