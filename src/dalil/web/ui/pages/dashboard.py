"""The case dashboard: what the case holds, what changed lately, what waits for review.

Every count is taken in SQL over the records the user's role may read (``page.levels``), so a
viewer's totals never reveal how many restricted or confidential records exist. Recent activity
lists only changes to records the user may read, and names who made them only to roles that may
write (a viewer need not learn who documents the case).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.db import Case, Change, Claim, Entity, Person, Relation, Source
from dalil.db.models_evidence_items import EvidenceItem
from dalil.documentation import label
from dalil.documentation.views import term_label
from dalil.web.api.visibility import levels_of
from dalil.web.ui.context import CasePage, Page
from dalil.web.ui.templating import render

router = APIRouter(include_in_schema=False)

RECENT = 12


def counts(page: Page) -> dict[str, Any]:
    assert page.case is not None
    session, case, levels = page.session, page.case, page.levels
    live = (Entity.case_id == case.id, Entity.deleted_at.is_(None), Entity.sensitivity.in_(levels))
    kinds = dict(
        session.execute(select(Entity.kind, func.count()).where(*live).group_by(Entity.kind)).all()
    )
    statuses = session.execute(
        select(Person.status, func.count())
        .where(Person.case_id == case.id, Person.deleted_at.is_(None))
        .where(Person.sensitivity.in_(levels))
        .group_by(Person.status)
        .order_by(func.count().desc(), Person.status)
    ).all()
    evidence = session.scalar(
        select(func.count())
        .select_from(EvidenceItem)
        .where(EvidenceItem.case_id == case.id, EvidenceItem.sensitivity.in_(levels))
    )
    subject = Entity.__table__.alias("subject")
    source = Entity.__table__.alias("source")
    disputed = session.scalar(
        select(func.count())
        .select_from(Claim)
        .join(subject, subject.c.id == Claim.subject_id)
        .join(source, source.c.id == Claim.source_id)
        .where(Claim.case_id == case.id, Claim.deleted_at.is_(None), Claim.status == "disputed")
        .where(subject.c.deleted_at.is_(None), subject.c.sensitivity.in_(levels))
        .where(source.c.sensitivity.in_(levels))
    )
    return {
        "kinds": kinds,
        "statuses": [
            {"status": s, "label": term_label("person_statuses", s, page.lang), "count": n}
            for s, n in statuses
        ],
        "evidence": evidence or 0,
        "disputed": disputed or 0,
        "lists": _lists(session, case, levels),
    }


def _lists(session: Session, case: Case, levels: list[str]) -> int | None:
    """Imported lists whose source the role may read (None: no registry tables yet)."""
    from dalil.db import models_registry

    imports = getattr(models_registry, "ListImport", None)
    if imports is None:
        return None
    query = (
        select(func.count())
        .select_from(imports)
        .join(Source, Source.id == imports.source_id)
        .where(imports.case_id == case.id, Source.sensitivity.in_(levels))
    )
    return session.scalar(query)


def recent(page: Page, limit: int = RECENT) -> list[dict[str, Any]]:
    """The latest changes to records the user may read, newest first."""
    assert page.case is not None
    # The records' levels narrow the window in SQL (checked again below): when the latest
    # changes are all above the role, older readable ones are still found.
    rows = list(
        page.session.scalars(
            select(Change)
            .join(Entity, Entity.id == Change.entity_id)
            .where(Change.case_id == page.case.id, Entity.sensitivity.in_(page.levels))
            .where(Entity.deleted_at.is_(None))
            .order_by(Change.id.desc())
            .limit(limit * 20)
        )
    )
    readable = levels_of(page.session, [c.entity_id for c in rows])
    shown: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for change in rows:
        if readable.get(change.entity_id) not in page.levels:
            continue
        # One line per record and kind of change: a claim batch is one event, and so is a
        # person written with its names (rows of two tables, one record to the reader).
        key = (change.entity_id, "claims" if change.table == "claims" else "", change.action)
        if key in seen:
            continue
        seen.add(key)
        entity = page.session.get(Entity, change.entity_id)
        if entity is None:
            continue
        if not _readable_parts(page, entity, change):
            continue
        shown.append(
            {
                "at": change.at,
                "action": change.action,
                "what": "claim" if change.table == "claims" else entity.kind,
                "kind": entity.kind,
                "id": entity.id,
                "label": label(page.session, entity, page.lang),
                "actor": change.actor if page.can("write") else None,
            }
        )
        if len(shown) >= limit:
            break
    return shown


def review_work(page: Page) -> int | None:
    """Pairs of list records awaiting a reviewer's decision (None: the role may not judge).

    Counts only: no record's content is shown here. The review pages say what each pair is.
    """
    if page.case is None or not page.can("judge", "restricted"):
        return None
    from dalil.registry.review import queue

    return len(queue(page.session, page.case.id))


def _readable_parts(page: Page, entity: Entity, change: Change) -> bool:
    """Whether everything a line about ``change`` implies is readable: a relation's two ends,
    a claim's source and the record it names (else even "a claim was added" says too much)."""
    named: list[str | None] = []
    if isinstance(entity, Relation):
        named += [entity.subject_id, entity.object_id]
    if change.table == "claims":
        claim = page.session.get(Claim, change.row_id)
        if claim is None:
            return False
        named += [claim.source_id, claim.value_ref]
    levels = levels_of(page.session, named)
    return all(level in page.levels for level in levels.values())


def estimates(page: Page) -> list[Any]:
    """Stored estimates of the case: built from restricted lists, so restricted readers only."""
    if not page.can("read", "restricted"):
        return []
    from dalil.estimation import list_estimates

    assert page.case is not None
    return list_estimates(page.session, page.case)


@router.get("/cases/{slug}")
def dashboard(page: CasePage, request: Request) -> Response:
    context = {
        "page": page,
        "active": "dashboard",
        "counts": counts(page),
        "recent": recent(page),
        "estimates": estimates(page),
        "incidents": incidents(page),
        "review": review_work(page),
    }
    return render(request, "dashboard.html", context)


def incidents(page: Page) -> list[Any]:
    from dalil.db import Incident

    assert page.case is not None
    return list(
        page.session.scalars(
            select(Incident)
            .where(Incident.case_id == page.case.id, Incident.deleted_at.is_(None))
            .where(Incident.sensitivity.in_(page.levels))
            .order_by(Incident.start_date, Incident.id)
            .limit(50)
        )
    )
