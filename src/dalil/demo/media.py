"""Synthetic demo media, ingested through the evidence locker like any material.

A generated video, a clip cut from it (cropped, rescaled, re-encoded: what `similar` must find),
a photo and a recompressed, resized copy. Nothing here depicts anything real. Built once: when the
case already holds evidence, nothing is done.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select

from dalil.db import Database
from dalil.db.models_evidence_items import EvidenceItem
from dalil.documentation import get_case
from dalil.evidence import log
from dalil.evidence.analysis import fingerprint_item
from dalil.evidence.blobs import LocalBlobStore
from dalil.evidence.ingest import ingest_file
from dalil.evidence.keys import load_key
from dalil.evidence.synthetic import derive_clip, make_image, make_video, mutate_image

ACTOR = "dalil-demo"


def ensure_media(db: Database, home: Path, case_slug: str, source_id: str) -> int:
    """Ingest and fingerprint the demo media unless the case has evidence; returns items added."""
    with db.reader() as session:
        case = get_case(session, case_slug)
        held = session.scalar(
            select(func.count()).select_from(EvidenceItem).where(EvidenceItem.case_id == case.id)
        )
    if held:
        return 0
    store = LocalBlobStore(home / "blobs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video = folder / "synthetic-street-footage.mp4"
        clip = folder / "synthetic-clip-shared-online.mp4"
        photo = folder / "synthetic-photo.jpg"
        copy = folder / "synthetic-photo-forwarded.jpg"
        make_video(video, 10, width=424, height=240, seed=2013)
        derive_clip(video, clip, 3.3, 5, crop=(21, 12, 382, 216), scale=0.75)
        make_image(photo, seed=416)
        mutate_image(photo, copy, scale=0.6, quality=60)
        added = [
            ingest_file(db, store, path, case=case_slug, source=source_id, actor=ACTOR)
            for path in (video, clip, photo, copy)
        ]
    for item in added:
        fingerprint_item(db, store, item.item_id, actor=ACTOR)
    with db.transaction(ACTOR) as session:
        log.checkpoint(session, load_key(home))
    return len(added)
