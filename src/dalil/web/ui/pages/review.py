"""The link review queue: two list records side by side, a reviewer says same / different / unsure.

The queue, the record views and the judgement are the registry's (:mod:`dalil.registry.review`,
:func:`dalil.registry.link_views.review_view`); this module only shows them and passes a
decision on. Only roles that may ``judge`` see the page (404 for others, as if it did not exist),
and only pairs whose two lists the role may both read and judge at their level are offered: a
pair with a record above the role's level is absent, not greyed out. A judgement is appended
(never changed), in a transaction named for the user, behind the CSRF check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from dalil.access import decide, require
from dalil.db import Entity
from dalil.db.models_registry import ListRecord
from dalil.errors import DalilError, NotFound
from dalil.registry.link_views import review_view
from dalil.registry.review import DECISIONS, QueueItem, field_states, judge, queue
from dalil.web import session as web_session
from dalil.web.api.visibility import strip_names
from dalil.web.ui.context import CasePage, Page, database
from dalil.web.ui.labels import COMPARISONS, FIELD_LABELS, MATCH_LEVELS, N_
from dalil.web.ui.templating import engine_message, render

router = APIRouter(include_in_schema=False)

LEVELS = ("public", "restricted", "confidential")
RecordRef = Annotated[str, Form(pattern=r"^lrc_[a-z0-9]{4,64}$")]


DECISION_LABELS = {
    "same": N_("Same person"),
    "different": N_("Different people"),
    "unsure": N_("Unsure"),
}
KEYS = {"same": "s", "different": "d", "unsure": "u"}


def source_levels(page: Page) -> dict[str, str]:
    """Source id → sensitivity for the case's sources (deleted ones count as confidential)."""
    assert page.case is not None
    rows = page.session.execute(
        select(Entity.id, Entity.sensitivity, Entity.deleted_at).where(
            Entity.case_id == page.case.id, Entity.kind == "source"
        )
    )
    return {rid: ("confidential" if deleted else level) for rid, level, deleted in rows}


def _allowed(page: Page) -> Callable[[str], bool]:
    """May the user both read and judge records of a list at this level?"""
    assert page.principal is not None
    assert page.case is not None
    principal, case_id = page.principal, page.case.id
    cache: dict[str, bool] = {}

    def allowed(level: str) -> bool:
        if level not in cache:
            cache[level] = (
                decide(principal, "judge", case_id, level).allowed
                and decide(principal, "registry.read", case_id, level).allowed
            )
        return cache[level]

    return allowed


def visible_queue(page: Page) -> list[QueueItem]:
    """The registry's queue, best first, without pairs the user may not judge."""
    assert page.case is not None
    if not page.can("judge", "public"):
        return []
    levels = source_levels(page)
    allowed = _allowed(page)
    sources = dict(
        page.session.execute(
            select(ListRecord.id, ListRecord.source_id).where(ListRecord.case_id == page.case.id)
        ).all()
    )

    def shown(record: str) -> bool:
        return allowed(levels.get(sources.get(record, ""), "confidential"))

    return [i for i in queue(page.session, page.case.id) if shown(i.record_a) and shown(i.record_b)]


def _rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per field that either record fills: both values and whether they agree (a name
    written in another script or spelling that reads the same is "alike", not "differ")."""
    a, b = view["a"]["fields"], view["b"]["fields"]
    return [
        {"field": name, "a": a.get(name), "b": b.get(name), "state": state}
        for name, state in field_states(a, b).items()
    ]


def _explanation(explanation: Any) -> list[dict[str, Any]]:
    """The model's per-comparison evidence as rows (comparison, level, weight), strongest first."""
    if not isinstance(explanation, dict):
        return []
    rows = []
    for name, detail in explanation.items():
        if isinstance(detail, dict):
            weight = detail.get("weight")
            rows.append(
                {
                    "name": str(name),
                    "label": COMPARISONS.get(str(name)),
                    "level": str(detail.get("level", "")),
                    "level_label": MATCH_LEVELS.get(str(detail.get("level", ""))),
                    "weight": weight if isinstance(weight, int | float) else None,
                }
            )
    rows.sort(key=lambda r: -abs(float(r["weight"] or 0)))
    return rows


def _context(page: Page, skip: int, **extra: Any) -> dict[str, Any]:
    assert page.case is not None
    assert page.principal is not None
    items = visible_queue(page)
    skip = max(0, min(skip, len(items)))
    item = items[skip] if skip < len(items) else None
    view = None
    if item is not None:
        view = strip_names(
            page.principal, page.case.id, review_view(page.session, page.case.id, item)
        )
    return {
        "page": page,
        "active": "review",
        "total": len(items),
        "skip": skip,
        "item": view,
        "rows": _rows(view) if view else [],
        "explanation": _explanation(view["explanation"]) if view else [],
        "field_labels": FIELD_LABELS,
        "decisions": [(d, DECISION_LABELS[d], KEYS[d]) for d in DECISIONS],
        "decision_labels": DECISION_LABELS,
        "judged": page.request.query_params.get("judged"),
        "error": None,
        **extra,
    }


@router.get("/cases/{slug}/review")
def review_page(page: CasePage, request: Request, skip: int = 0) -> Response:
    if not page.can("judge", "public"):
        raise NotFound("no review queue")
    return render(request, "review.html", _context(page, max(0, min(skip, 1_000_000))))


@router.post("/cases/{slug}/review", dependencies=[Depends(web_session.check_csrf)])
def judge_pair(
    page: CasePage,
    request: Request,
    record_a: RecordRef,
    record_b: RecordRef,
    decision: Annotated[str, Form(max_length=16)],
    skip: Annotated[int, Form(ge=0, le=1_000_000)] = 0,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    if not page.can("judge", "public"):
        raise NotFound("no review queue")
    missing = "no such pair of list records in this case"
    levels = source_levels(page)
    rows = page.session.execute(
        select(ListRecord.id, ListRecord.source_id).where(
            ListRecord.case_id == page.case.id, ListRecord.id.in_([record_a, record_b])
        )
    ).all()
    if len(rows) != 2:
        raise NotFound(missing)
    level = max((levels.get(src, "confidential") for _, src in rows), key=LEVELS.index)
    if not _allowed(page)(level):
        raise NotFound(missing)  # not even visible to this role
    require(page.principal, "judge", page.case.id, level)
    try:
        with database(request).transaction(page.user.name) as writer:
            judge(writer, page.case.id, record_a, record_b, decision, page.user.name, note or None)
    except NotFound:
        raise
    except DalilError as exc:
        return render(
            request,
            "review.html",
            _context(page, skip, error=engine_message(page.lang, exc.message)),
            422,
        )
    # "unsure" keeps the pair in the queue (after the others): the next pair is at the same place.
    target = page.case_url("review") + f"?skip={skip}&judged={decision}"
    return RedirectResponse(target, status_code=303)
