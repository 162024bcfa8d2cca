"""Writing a link run: its pairs, the registry's persons, members, retirements and redirects,
inside the caller's transaction (used by :func:`dalil.registry.linking.link_case`).

Core bulk inserts in chunks (a run may write hundreds of thousands of rows). It never writes a
record's content into an error or a log: a failed run keeps only the error's type.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from dalil.db import Database
from dalil.db.models_registry import (
    LinkRun,
    RegistryMember,
    RegistryPerson,
    RegistryRedirect,
)
from dalil.db.types import utcnow
from dalil.errors import Conflict
from dalil.registry.constraints import Constrained, ordered
from dalil.registry.linkage import NEAR_MISSES as ENGINE_NEAR_MISSES
from dalil.registry.stable_ids import Assignment, members_digest

if TYPE_CHECKING:
    import pandas as pd

# Unlinked pairs kept per run (the highest scored): the near misses a reviewer may ask about,
# the ones the engine explains.
NEAR_MISSES = ENGINE_NEAR_MISSES
CHUNK = 5000
log = logging.getLogger(__name__)


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {"text": value}
        return parsed if isinstance(parsed, dict) else {"value": parsed}
    to_dict = getattr(value, "as_dict", None) or getattr(value, "to_dict", None)
    if callable(to_dict):
        result = to_dict()
        return result if isinstance(result, dict) else {"value": result}
    return {"value": json.loads(json.dumps(value, default=str))}


def pairs_to_keep(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs a run stores: linked and review ones, judged ones (with the model's score, from
    which the review order learns; a few, bounded by the reviewers' work), and the near misses."""
    keep = pairs["status"].isin(["linked", "review"])
    if "judgement" in pairs.columns:
        keep |= pairs["judgement"].isin(["same", "different"])
    kept = pairs[keep]
    unlinked = pairs[~keep & (pairs["status"] == "unlinked")]
    near = unlinked.loc[
        unlinked["match_probability"].astype(float).sort_values(ascending=False).index[:NEAR_MISSES]
    ]
    return kept if near.empty else (near if kept.empty else _concat(kept, near))


def _concat(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.concat([a, b], ignore_index=True)


def pair_rows(pairs: pd.DataFrame, run_id: str, case_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    has_explanation = "explanation" in pairs.columns
    for i, (a, b, w, p, s) in enumerate(
        zip(
            pairs["record_a"],
            pairs["record_b"],
            pairs["match_weight"],
            pairs["match_probability"],
            pairs["status"],
            strict=True,
        )
    ):
        a, b = ordered(str(a), str(b))
        explanation = pairs["explanation"].iloc[i] if has_explanation else None
        rows.append(
            {
                "run_id": run_id,
                "case_id": case_id,
                "record_a": a,
                "record_b": b,
                "match_weight": float(w),
                "match_probability": float(p),
                "explanation": jsonable(explanation),
                "status": str(s),
            }
        )
    return rows


def check_token(session: Session, case_id: str, token: str | None) -> None:
    newest = session.scalar(
        select(LinkRun.id)
        .where(LinkRun.case_id == case_id, LinkRun.status == "done")
        .order_by(LinkRun.started_at.desc(), LinkRun.id.desc())
        .limit(1)
    )
    if newest != token:
        raise Conflict(
            "another link run of this case finished while this one ran; nothing was saved",
            hint="run `dalil link run` again",
        )


def write_registry(
    session: Session,
    case_id: str,
    run_id: str,
    members: Mapping[str, str],
    constrained: Constrained,
    ids: Assignment,
) -> None:
    now = utcnow()
    created = set(ids.created)
    new_persons = []
    wanted: dict[str, str] = {}
    for cluster, pid in zip(constrained.clusters, ids.ids, strict=True):
        for record in cluster:
            wanted[record] = pid
        if pid in created:
            new_persons.append(
                {
                    "id": pid,
                    "case_id": case_id,
                    "created_run_id": run_id,
                    "status": "active",
                    "members_digest": members_digest(cluster),
                    "created_at": now,
                }
            )
        elif ids.kept.get(pid) == "grown":
            session.execute(
                update(RegistryPerson)
                .where(RegistryPerson.id == pid)
                .values(members_digest=members_digest(cluster))
            )
    for start in range(0, len(new_persons), CHUNK):
        session.execute(insert(RegistryPerson), new_persons[start : start + CHUNK])
    changed = [r for r, pid in members.items() if wanted.get(r) != pid]
    for start in range(0, len(changed), 500):
        session.execute(
            delete(RegistryMember).where(RegistryMember.record_id.in_(changed[start : start + 500]))
        )
    rows = [
        {"record_id": r, "registry_person_id": pid, "run_id": run_id}
        for r, pid in sorted(wanted.items())
        if members.get(r) != pid
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(RegistryMember), rows[start : start + CHUNK])
    for start in range(0, len(ids.retired), 500):
        session.execute(
            update(RegistryPerson)
            .where(RegistryPerson.id.in_(ids.retired[start : start + 500]))
            .values(status="retired", retired_run_id=run_id)
        )
    redirects = [
        {"old_id": r.old_id, "new_id": r.new_id, "run_id": run_id, "reason": r.reason}
        for r in ids.redirects
    ]
    for start in range(0, len(redirects), CHUNK):
        session.execute(insert(RegistryRedirect), redirects[start : start + CHUNK])


def record_failure(
    db: Database,
    case_id: str,
    run_id: str,
    actor: str,
    engine: str,
    incremental: bool,
    started: Any,
    exc: Exception,
) -> None:
    """Keep a trace of a failed run: the error's type only (its text may quote a record)."""
    try:
        with db.transaction(actor) as session:
            session.execute(
                insert(LinkRun).values(
                    id=run_id,
                    case_id=case_id,
                    started_at=started,
                    finished_at=utcnow(),
                    engine=engine,
                    status="failed",
                    incremental=incremental,
                    calibration={"error": type(exc).__name__},
                    actor=actor,
                )
            )
    except Exception as note_error:  # the original error matters more than the note about it
        log.warning("could not record the failed link run: %s", type(note_error).__name__)


__all__ = [
    "CHUNK",
    "NEAR_MISSES",
    "check_token",
    "jsonable",
    "pair_rows",
    "pairs_to_keep",
    "record_failure",
    "write_registry",
]
