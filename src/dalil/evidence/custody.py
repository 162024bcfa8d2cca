"""Custody events: every ingest, view, download, copy, analysis, export, transfer and disposition.

Each event is a leaf of the Merkle log (:mod:`dalil.evidence.log`). A leaf says which bytes
(``sha256:…``), what happened, who, when (UTC), and the item's state before. It carries no
confidential detail (who supplied an item stays in the acquisition row, not in the log), because
the log travels in court bundles.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dalil.db.models_evidence_items import EvidenceItem
from dalil.db.types import utcnow
from dalil.errors import InvalidInput
from dalil.evidence import log

ACTIONS = ("ingest", "view", "download", "copy", "analysis", "export", "transfer", "disposition")


def record(
    session: Session,
    action: str,
    item: EvidenceItem | None,
    *,
    actor: str,
    previous_state: str | None = None,
    details: dict[str, Any] | None = None,
    case_id: str | None = None,
) -> int:
    """Append one custody event; returns its leaf index in the log."""
    if action not in ACTIONS:
        raise InvalidInput("action", f"must be one of: {', '.join(ACTIONS)}")
    event: dict[str, Any] = {
        "action": action,
        "actor": actor,
        "time": utcnow().isoformat(),
        "item": None if item is None else item.sha256,
        "item_id": None if item is None else item.id,
        "case_id": case_id if item is None else item.case_id,
        "previous_state": previous_state,
    }
    if details:
        event["details"] = {k: v for k, v in details.items() if v is not None}
    return log.append(session, event).index
