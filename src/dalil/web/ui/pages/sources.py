"""A source's page: what it is (title, type, publisher, date, link, reliability, note), what in
the case cites it, and the evidence items that came from it.

The source is read through the same view as the CLI and the API (``record_view``), so a source
above the role's level answers 404. What cites it is counted in SQL over claims whose subject,
and whatever record the claim's value names, the role may read: a claim the role could not see
elsewhere is not hinted at here either. Values are not shown here (the subject's page shows each
claim with its source).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from dalil.db import Claim, Entity, Source
from dalil.db.models_evidence_items import EvidenceItem
from dalil.documentation import label, properties
from dalil.web.ui.context import CasePage, Page, RecordId
from dalil.web.ui.pages.records import record_view
from dalil.web.ui.templating import render

router = APIRouter(include_in_schema=False)

CITED_ROWS = 200


def cited_by(page: Page, source_id: str) -> list[dict[str, Any]]:
    """(subject, property) → how many claims cite the source, for subjects the role may read."""
    assert page.case is not None
    subject = Entity.__table__.alias("subject")
    named = Entity.__table__.alias("named")
    rows = page.session.execute(
        select(Claim.subject_id, Claim.property, func.count())
        .join(subject, subject.c.id == Claim.subject_id)
        .outerjoin(named, named.c.id == Claim.value_ref)
        .where(Claim.case_id == page.case.id, Claim.source_id == source_id)
        .where(Claim.deleted_at.is_(None), subject.c.deleted_at.is_(None))
        .where(subject.c.sensitivity.in_(page.levels))
        .where(or_(Claim.value_ref.is_(None), named.c.sensitivity.in_(page.levels)))
        .group_by(Claim.subject_id, Claim.property)
        .order_by(Claim.subject_id, Claim.property)
        .limit(CITED_ROWS)
    ).all()
    shown = []
    for subject_id, prop, count in rows:
        entity = page.session.get(Entity, subject_id)
        if entity is None:
            continue
        declared = properties().get(entity.kind, {}).get(prop)
        shown.append(
            {
                "id": entity.id,
                "kind": entity.kind,
                "label": label(page.session, entity, page.lang),
                "property": declared.label(page.lang) if declared is not None else prop,
                "count": count,
            }
        )
    return shown


@router.get("/cases/{slug}/sources/{id}")
def source_page(page: CasePage, request: Request, id: RecordId) -> Response:
    assert page.case is not None
    _, view = record_view(page, Source, id, with_relations=False)
    evidence = list(
        page.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id == page.case.id, EvidenceItem.source_id == id)
            .where(EvidenceItem.sensitivity.in_(page.levels))
            .order_by(EvidenceItem.created_at, EvidenceItem.id)
            .limit(100)
        )
    )
    context = {
        "page": page,
        "view": view,
        "cited": cited_by(page, id),
        "limit": CITED_ROWS,
        "evidence": evidence,
    }
    return render(request, "source.html", context)
