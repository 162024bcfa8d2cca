"""`dalil evidence verify`: are the stored bytes still the bytes that were acquired?

Re-hashes originals and derivatives in the blob store against their names and records, and reports
each item whose bytes are missing or altered; the custody log itself is checked by
:func:`dalil.evidence.log.verify`. Reading only: nothing is repaired here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dalil.db import Database
from dalil.db.models_evidence_items import Derivative, EvidenceItem
from dalil.evidence.blobs import Area, LocalBlobStore


@dataclass
class BlobReport:
    checked: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "problems": self.problems,
            "unreferenced": self.unreferenced,
        }


def verify_blobs(
    db: Database, store: LocalBlobStore, *, item_ids: list[str] | None = None
) -> BlobReport:
    report = BlobReport()
    with db.reader() as session:
        query = select(EvidenceItem.id, EvidenceItem.sha256)
        derived = select(Derivative.item_id, Derivative.sha256, Derivative.kind)
        if item_ids:
            query = query.where(EvidenceItem.id.in_(item_ids))
            derived = derived.where(Derivative.item_id.in_(item_ids))
        originals = session.execute(query.order_by(EvidenceItem.id)).all()
        derivatives = session.execute(derived.order_by(Derivative.item_id)).all()
    for item_id, sha in originals:
        _check(report, store, item_id, sha, "originals", "original")
    for item_id, sha, kind in derivatives:
        _check(report, store, item_id, sha, "derivatives", kind)
    if not item_ids:
        known = {sha for _, sha in originals}
        report.unreferenced = [h for h in store.iter_hashes() if h not in known]
    return report


def _check(
    report: BlobReport, store: LocalBlobStore, item_id: str, sha: str, area: Area, what: str
) -> None:
    report.checked += 1
    if not store.exists(sha, area=area):
        report.problems.append({"item": item_id, "blob": sha, "what": what, "problem": "missing"})
    elif store.rehash(sha, area=area) != sha:
        report.problems.append({"item": item_id, "blob": sha, "what": what, "problem": "altered"})
