"""Read views of linkage for the CLI and the API: runs, pairs, review items, registry persons
(following redirects) and per-list counts. Plain dictionaries; no permission decisions (callers
filter with :mod:`dalil.access.policy`), and no writes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.db import Source
from dalil.db.models_registry import (
    LinkRun,
    ListImport,
    ListRecord,
    RegistryMember,
    RegistryPerson,
    RegistryRedirect,
)
from dalil.errors import NotFound
from dalil.registry.review import (
    QueueItem,
    agreeing,
    current_pairs,
    judgements_of,
    membership,
    record_views,
)


def run_view(run: LinkRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "case_id": run.case_id,
        "engine": run.engine,
        "status": run.status,
        "incremental": run.incremental,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "records": run.record_count,
        "persons": run.person_count,
        "pairs": run.pair_count,
        "calibration": run.calibration,
        "actor": run.actor,
    }


def get_run(session: Session, ref: str, case_id: str | None = None) -> LinkRun:
    run = session.get(LinkRun, ref)
    if run is None or (case_id is not None and run.case_id != case_id):
        raise NotFound(f"no link run {ref!r}", hint="`dalil link pairs --case C` names the runs")
    return run


def latest_run(session: Session, case_id: str) -> LinkRun | None:
    return session.scalar(
        select(LinkRun)
        .where(LinkRun.case_id == case_id)
        .order_by(LinkRun.started_at.desc(), LinkRun.id.desc())
        .limit(1)
    )


def pair_views(session: Session, case_id: str, status: str | None = None) -> list[dict[str, Any]]:
    """The current pairs (one per record pair), strongest first, with the persons holding them."""
    person = membership(session, case_id)
    pairs = current_pairs(session, case_id, None if status is None else (status,))
    pairs.sort(key=lambda p: (-p.match_probability, p.record_a, p.record_b))
    return [
        {
            "record_a": p.record_a,
            "record_b": p.record_b,
            "match_weight": p.match_weight,
            "match_probability": p.match_probability,
            "status": p.status,
            "run_id": p.run_id,
            "person_a": person.get(p.record_a),
            "person_b": person.get(p.record_b),
        }
        for p in pairs
    ]


def review_view(session: Session, case_id: str, item: QueueItem) -> dict[str, Any]:
    """A queue item with both records' fields, which fields agree, and earlier judgements."""
    views = record_views(session, [item.record_a, item.record_b])
    a, b = views[item.record_a], views[item.record_b]
    return item.as_dict() | {
        "a": a,
        "b": b,
        "agree": agreeing(a["fields"], b["fields"]),
        "judgements": judgements_of(session, case_id, item.record_a, item.record_b),
    }


def resolve(session: Session, person_id: str) -> list[str]:
    """The active persons a (possibly retired) registry person ID now names, following
    redirects through later merges and splits."""
    seen: set[str] = set()
    frontier = [person_id]
    active: list[str] = []
    while frontier:
        pid = frontier.pop()
        if pid in seen:
            continue
        seen.add(pid)
        status = session.scalar(select(RegistryPerson.status).where(RegistryPerson.id == pid))
        if status == "active":
            active.append(pid)
            continue
        frontier += list(
            session.scalars(select(RegistryRedirect.new_id).where(RegistryRedirect.old_id == pid))
        )
    return sorted(active)


def person_view(session: Session, case_id: str, person_id: str) -> dict[str, Any]:
    """An active or retired registry person; a retired one names the IDs it became."""
    person = session.get(RegistryPerson, person_id)
    if person is None or person.case_id != case_id:
        raise NotFound(f"no registry person {person_id!r}")
    base = {
        "id": person.id,
        "status": person.status,
        "created_run_id": person.created_run_id,
        "retired_run_id": person.retired_run_id,
        "members_digest": person.members_digest,
        "person_id": person.person_id,
    }
    if person.status != "active":
        moves = session.execute(
            select(RegistryRedirect.new_id, RegistryRedirect.reason).where(
                RegistryRedirect.old_id == person.id
            )
        ).all()
        return base | {
            "redirects": [{"id": new, "reason": reason} for new, reason in moves],
            "now": resolve(session, person.id),
            "records": [],
        }
    members = list(
        session.scalars(
            select(RegistryMember.record_id).where(RegistryMember.registry_person_id == person.id)
        )
    )
    views = record_views(session, members)
    return base | {"records": [views[m] for m in sorted(members) if m in views]}


def person_briefs(session: Session, case_id: str) -> list[dict[str, Any]]:
    """Active persons with their records' ids and sources (lists) — for pages and counts."""
    rows = session.execute(
        select(
            RegistryMember.registry_person_id,
            ListRecord.id,
            ListRecord.source_id,
            Source.sensitivity,
        )
        .join(ListRecord, ListRecord.id == RegistryMember.record_id)
        .join(Source, Source.id == ListRecord.source_id)
        .where(ListRecord.case_id == case_id)
        .order_by(RegistryMember.registry_person_id, ListRecord.id)
    )
    out: dict[str, dict[str, Any]] = {}
    for pid, record, source, level in rows:
        entry = out.setdefault(pid, {"id": pid, "records": []})
        entry["records"].append({"id": record, "source_id": source, "sensitivity": level})
    return list(out.values())


def lists_summary(session: Session, case_id: str) -> list[dict[str, Any]]:
    """Each list (Source) of the case with its imports, record count and linked persons."""
    records = dict(
        session.execute(
            select(ListRecord.source_id, func.count())
            .where(ListRecord.case_id == case_id)
            .group_by(ListRecord.source_id)
        ).all()
    )
    persons = dict(
        session.execute(
            select(
                ListRecord.source_id, func.count(func.distinct(RegistryMember.registry_person_id))
            )
            .join(RegistryMember, RegistryMember.record_id == ListRecord.id)
            .where(ListRecord.case_id == case_id)
            .group_by(ListRecord.source_id)
        ).all()
    )
    imports = session.execute(
        select(ListImport.source_id, func.count(), func.max(ListImport.created_at))
        .where(ListImport.case_id == case_id)
        .group_by(ListImport.source_id)
    ).all()
    sources = {
        s.id: s
        for s in session.scalars(select(Source).where(Source.id.in_([i[0] for i in imports])))
    }
    out = []
    for source_id, count, last in imports:
        source = sources[source_id]
        out.append(
            {
                "id": source_id,
                "title": source.title,
                "sensitivity": source.sensitivity,
                "imports": int(count),
                "last_import": last.isoformat() if last else None,
                "records": int(records.get(source_id, 0)),
                "persons": int(persons.get(source_id, 0)),
            }
        )
    out.sort(key=lambda x: (x["title"], x["id"]))
    return out


__all__ = [
    "get_run",
    "latest_run",
    "lists_summary",
    "pair_views",
    "person_briefs",
    "person_view",
    "resolve",
    "review_view",
    "run_view",
]
