"""The registry over HTTP: a case's lists, its registry persons (following merges and splits),
and the link review queue with judgements (engines: :mod:`dalil.registry.review`,
:mod:`dalil.registry.link_views`).

A list record is as sensitive as the list (its Source) it came from. Every response holds only
records the caller's role may see at that level: ``read`` for the lists' counts (a viewer sees
counts of public lists only), ``registry.read`` for persons and their records, ``judge`` for the
review queue and for judging. A person none of whose records the caller may see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access import Principal, decide, require
from dalil.db import Entity
from dalil.db.models_registry import ListRecord
from dalil.errors import NotFound
from dalil.registry.link_views import (
    lists_summary,
    person_briefs,
    person_view,
    resolve,
    review_view,
)
from dalil.registry.review import judge, queue
from dalil.web.api.deps import DB, Caller, Paging, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.records import Slug, caller_case
from dalil.web.api.schemas import PageInfo
from dalil.web.api.visibility import strip_names

router = APIRouter(prefix="/api", tags=["registry"], responses=ERROR_RESPONSES)

PersonId = Annotated[
    str, Path(pattern=r"^vic_[a-z0-9]{4,64}$", description="A registry person's ID (vic_…).")
]
RecordRef = Annotated[str, Field(pattern=r"^lrc_[a-z0-9]{4,64}$", description="A list record.")]


class ListOut(BaseModel):
    id: str = Field(description="The list's Source ID.")
    title: str
    sensitivity: str
    imports: int
    last_import: str | None
    records: int
    persons: int = Field(description="Registry persons holding at least one of its records.")


class ListsOut(BaseModel):
    items: list[ListOut]


class ListRecordOut(BaseModel):
    id: str
    source: dict[str, str]
    row_number: int
    sensitivity: str
    fields: dict[str, Any] = Field(description="Derived (cleaned) values; the raw row stays put.")


class PersonBrief(BaseModel):
    id: str
    records: int = Field(description="Records of this person the caller may see.")
    lists: list[str] = Field(description="Source IDs of the lists they come from.")


class PersonPage(BaseModel):
    items: list[PersonBrief]
    page: PageInfo


class PersonOut(BaseModel):
    id: str
    status: Literal["active", "retired"]
    created_run_id: str
    retired_run_id: str | None
    records: list[ListRecordOut]
    now: list[str] = Field(default_factory=list, description="Retired: the IDs it became.")
    redirects: list[dict[str, str]] = Field(default_factory=list)


class JudgementOut(BaseModel):
    id: str
    decision: str
    note: str | None
    actor: str | None
    created_at: str


class ReviewItem(BaseModel):
    record_a: str
    record_b: str
    match_weight: float
    match_probability: float
    status: str = Field(description="The model's status of the pair: review or linked.")
    explanation: Any = Field(description="Per comparison: level, Bayes factor, weight.")
    run_id: str
    person_a: str | None
    person_b: str | None
    size: int
    unsure: bool
    chance: float | None = Field(
        description="The chance that a decision changes the registry, learned from the case's "
        "judgements (null until there are enough of them; the queue is then ordered by the "
        "probability closest to 0.5)."
    )
    a: ListRecordOut
    b: ListRecordOut
    agree: dict[str, bool | None]
    judgements: list[JudgementOut]


class ReviewPage(BaseModel):
    items: list[ReviewItem]
    page: PageInfo


class JudgementIn(BaseModel):
    record_a: RecordRef
    record_b: RecordRef
    decision: Literal["same", "different", "unsure"]
    note: str | None = Field(default=None, max_length=2000)


class JudgementCreated(JudgementOut):
    record_a: str
    record_b: str


def _source_levels(session: Session, case_id: str) -> dict[str, str]:
    """Source id → sensitivity (deleted sources count as confidential)."""
    rows = session.execute(
        select(Entity.id, Entity.sensitivity, Entity.deleted_at).where(
            Entity.case_id == case_id, Entity.kind == "source"
        )
    )
    return {rid: ("confidential" if deleted else level) for rid, level, deleted in rows}


def _may(caller: Principal, action: str, case_id: str) -> Callable[[str], bool]:
    cache: dict[str, bool] = {}

    def allowed(level: str) -> bool:
        if level not in cache:
            cache[level] = decide(caller, action, case_id, level).allowed
        return cache[level]

    return allowed


@router.get("/cases/{slug}/lists", response_model=ListsOut, summary="A case's lists, with counts")
def read_lists(slug: Slug, session: Reader, caller: Caller) -> ListsOut:
    case = caller_case(session, caller, slug)
    allowed = _may(caller, "read", case.id)
    items = [
        ListOut(**row) for row in lists_summary(session, case.id) if allowed(row["sensitivity"])
    ]
    return ListsOut(items=items)


@router.get("/cases/{slug}/registry/persons", response_model=PersonPage, summary="Registry persons")
def list_registry_persons(
    slug: Slug, session: Reader, caller: Caller, paging: Paging
) -> PersonPage:
    case = caller_case(session, caller, slug)
    require(caller, "registry.read", case.id, "public")
    allowed = _may(caller, "registry.read", case.id)
    items = []
    for person in person_briefs(session, case.id):
        records = [r for r in person["records"] if allowed(r["sensitivity"])]
        if records:
            lists = sorted({r["source_id"] for r in records})
            items.append(PersonBrief(id=person["id"], records=len(records), lists=lists))
    chosen = items[paging.offset : paging.offset + paging.limit]
    return PersonPage(items=chosen, page=PageInfo(**paging.__dict__, total=len(items)))


def _visible_records(caller: Principal, case_id: str, records: list[dict[str, Any]]) -> list[Any]:
    allowed = _may(caller, "registry.read", case_id)
    return [r for r in records if allowed(r["sensitivity"])]


def _shows_anything(session: Session, caller: Principal, case_id: str, person_id: str) -> bool:
    view = person_view(session, case_id, person_id)
    return bool(_visible_records(caller, case_id, view["records"]))


@router.get(
    "/cases/{slug}/registry/persons/{id}",
    response_model=PersonOut,
    summary="One registry person; a retired ID names the IDs it became",
    responses={
        301: {"model": PersonOut, "description": "Retired by a merge: Location names the new ID."},
        300: {"model": PersonOut, "description": "Retired by a split: `now` lists the new IDs."},
    },
)
def read_registry_person(
    slug: Slug, id: PersonId, session: Reader, caller: Caller
) -> PersonOut | JSONResponse:
    case = caller_case(session, caller, slug)
    require(caller, "registry.read", case.id, "public")
    missing = f"no registry person {id!r}"
    try:
        view = person_view(session, case.id, id)
    except NotFound:
        raise NotFound(missing) from None
    if view["status"] == "active":
        view["records"] = _visible_records(caller, case.id, view["records"])
        if not view["records"]:
            raise NotFound(missing)
        return PersonOut(**view)
    # Retired: name only the successors the caller may see something of.
    now = [pid for pid in resolve(session, id) if _shows_anything(session, caller, case.id, pid)]
    if not now:
        raise NotFound(missing)
    view["now"] = now
    view["redirects"] = [
        r for r in view["redirects"] if set(resolve(session, r["id"])) & set(now)
    ]  # fmt: skip
    body = PersonOut(**view).model_dump()
    status = 301 if len(now) == 1 else 300
    headers = {"Location": f"/api/cases/{case.slug}/registry/persons/{now[0]}"}
    return JSONResponse(body, status_code=status, headers=headers if len(now) == 1 else None)


@router.get("/cases/{slug}/link/review", response_model=ReviewPage, summary="Pairs awaiting review")
def read_review(slug: Slug, session: Reader, caller: Caller, paging: Paging) -> ReviewPage:
    """The review queue, most useful decision first, with both records and the model's
    per-field explanation. Pairs with a record above the caller's ``judge`` level are left out."""
    case = caller_case(session, caller, slug)
    require(caller, "judge", case.id, "public")
    levels = _source_levels(session, case.id)
    allowed = _may(caller, "judge", case.id)
    sources = dict(
        session.execute(
            select(ListRecord.id, ListRecord.source_id).where(ListRecord.case_id == case.id)
        ).all()
    )

    def shown(record: str) -> bool:
        return allowed(levels.get(sources.get(record, ""), "confidential"))

    items = [i for i in queue(session, case.id) if shown(i.record_a) and shown(i.record_b)]
    chosen = items[paging.offset : paging.offset + paging.limit]
    views = [strip_names(caller, case.id, review_view(session, case.id, i)) for i in chosen]
    return ReviewPage(
        items=[ReviewItem(**v) for v in views],
        page=PageInfo(**paging.__dict__, total=len(items)),
    )


@router.post(
    "/cases/{slug}/link/judgements",
    response_model=JudgementCreated,
    status_code=201,
    summary="Judge a pair: same person, different, or unsure (appended, never changed)",
)
def create_judgement(
    slug: Slug, body: JudgementIn, db: DB, caller: Caller, response: Response
) -> JudgementCreated:
    with db.transaction(caller.name) as session:
        case = caller_case(session, caller, slug)
        require(caller, "judge", case.id, "public")
        levels = _source_levels(session, case.id)
        rows = session.execute(
            select(ListRecord.id, ListRecord.source_id).where(
                ListRecord.case_id == case.id,
                ListRecord.id.in_([body.record_a, body.record_b]),
            )
        ).all()
        if len(rows) != 2:
            raise NotFound("no such pair of list records in this case")
        order = ("public", "restricted", "confidential")
        level = max((levels.get(src, "confidential") for _, src in rows), key=order.index)
        if not decide(caller, "registry.read", case.id, level).allowed:
            raise NotFound("no such pair of list records in this case")  # not even visible
        require(caller, "judge", case.id, level)
        made = judge(
            session, case.id, body.record_a, body.record_b, body.decision, caller.name, body.note
        )
        out = {
            "id": made.id,
            "record_a": made.record_a,
            "record_b": made.record_b,
            "decision": made.decision,
            "note": made.note,
            "actor": made.actor,
            "created_at": made.created_at.isoformat(),
        }
    response.headers["Location"] = f"/api/cases/{slug}/link/review"
    return JudgementCreated(**out)
