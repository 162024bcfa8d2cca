"""Claims: a value about a record, resting on a source; list, read, create, set status, withdraw.

A claim is readable only when its subject, its source and the record it names (``value_ref``)
all are; otherwise it answers 404 and is left out of lists. Authors' names are shown only to
roles that may read restricted data. This module must never return a claim through which a
record the caller may not read could be seen.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.access import Principal, require
from dalil.db import Case, Claim, Entity
from dalil.documentation import add_claim, claim_view, set_status, withdraw
from dalil.errors import NotFound
from dalil.web.api.deps import DB, Caller, Paging, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.records import Slug, caller_case
from dalil.web.api.schemas import PageInfo
from dalil.web.api.visibility import readable_levels, strip_names

router = APIRouter(prefix="/api", tags=["claims"], responses=ERROR_RESPONSES)

ClaimId = Annotated[str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$", description="Full ID.")]


class ClaimIn(BaseModel):
    subject: str = Field(max_length=80, description="ID of the record the claim is about.")
    property: str = Field(max_length=64)
    value: str = Field(max_length=5000, description="Text, a number, a date or a record ID.")
    source: str = Field(max_length=80, description="ID of the source it rests on.")
    status: str = Field(default="unverified", max_length=32)
    qualifier: str | None = Field(default=None, max_length=32)
    locator: str | None = Field(default=None, max_length=256)
    note: str | None = Field(default=None, max_length=5000)


class ClaimPatch(BaseModel):
    status: str = Field(max_length=32, description="unverified, accepted or disputed.")
    note: str | None = Field(default=None, max_length=5000)


class ClaimOut(BaseModel):
    id: str
    subject: str
    property: str
    value: Any
    value_type: str
    value_ref: str | None
    qualifier: str | None
    shown: str | None
    status: str
    source: dict[str, Any]
    locator: str | None
    note: str | None
    author: str | None = Field(description="Omitted for roles that may read only public data.")
    created_at: str


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    page: PageInfo


def _levels(session: Session, claim: Claim) -> list[str]:
    ids = [i for i in (claim.subject_id, claim.source_id, claim.value_ref) if i]
    found = {
        rid: ("confidential" if deleted is not None else level)
        for rid, level, deleted in session.execute(
            select(Entity.id, Entity.sensitivity, Entity.deleted_at).where(Entity.id.in_(ids))
        )
    }
    return [found.get(i, "confidential") for i in ids]


def _readable(session: Session, caller: Principal, claim: Claim) -> bool:
    if claim.case_id not in caller.roles or claim.deleted_at is not None:
        return False
    ok = set(readable_levels(caller, claim.case_id))
    return all(level in ok for level in _levels(session, claim))


def _out(session: Session, caller: Principal, claim: Claim) -> ClaimOut:
    view = claim_view(session, claim)
    view["subject"] = claim.subject_id
    return ClaimOut(**strip_names(caller, claim.case_id, view))


def _claim(session: Session, caller: Principal, ref: str) -> Claim:
    claim = session.get(Claim, ref)
    if claim is None or not _readable(session, caller, claim):
        raise NotFound(f"no claim {ref!r}")
    return claim


@router.get("/cases/{slug}/claims", response_model=ClaimPage, summary="A case's claims")
def list_claims(
    slug: Slug,
    session: Reader,
    caller: Caller,
    paging: Paging,
    subject: Annotated[str | None, Query(max_length=80, description="About this record.")] = None,
    property: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> ClaimPage:
    case = caller_case(session, caller, slug)
    levels = readable_levels(caller, case.id)
    subject_row = Entity.__table__.alias("subject_row")
    source_row = Entity.__table__.alias("source_row")
    query = (
        select(Claim)
        .join(subject_row, subject_row.c.id == Claim.subject_id)
        .join(source_row, source_row.c.id == Claim.source_id)
        .where(
            Claim.case_id == case.id,
            Claim.deleted_at.is_(None),
            subject_row.c.sensitivity.in_(levels),
            subject_row.c.deleted_at.is_(None),
            source_row.c.sensitivity.in_(levels),
            source_row.c.deleted_at.is_(None),
        )
    )
    ref_row = Entity.__table__.alias("ref_row")
    hidden_ref = select(ref_row.c.id).where(
        ref_row.c.id == Claim.value_ref,
        ref_row.c.sensitivity.in_(levels),
        ref_row.c.deleted_at.is_(None),
    )
    query = query.where(Claim.value_ref.is_(None) | hidden_ref.exists())
    if subject is not None:
        query = query.where(Claim.subject_id == subject)
    if property is not None:
        query = query.where(Claim.property == property)
    if status is not None:
        query = query.where(Claim.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Claim.created_at, Claim.id).limit(paging.limit).offset(paging.offset)
    )
    items = [_out(session, caller, c) for c in rows]
    return ClaimPage(items=items, page=PageInfo(**paging.__dict__, total=total))


@router.get("/claims/{id}", response_model=ClaimOut, summary="One claim")
def read_claim(id: ClaimId, session: Reader, caller: Caller) -> ClaimOut:
    return _out(session, caller, _claim(session, caller, id))


@router.post(
    "/cases/{slug}/claims", response_model=ClaimOut, status_code=201, summary="Add a claim"
)
def create_claim(slug: Slug, body: ClaimIn, db: DB, caller: Caller) -> ClaimOut:
    with db.reader() as session:
        case_id = caller_case(session, caller, slug).id
    require(caller, "write", case_id, "public")
    with db.transaction(caller.name) as session:
        case = session.get(Case, case_id)
        assert case is not None
        claim = add_claim(
            session, case, body.subject, body.property, body.value, body.source,
            status=body.status, qualifier=body.qualifier, locator=body.locator, note=body.note,
        )  # fmt: skip
        if not _readable(session, caller, claim):
            raise NotFound(f"no record {body.subject!r} in case {slug}")
        for level in _levels(session, claim):
            require(caller, "write", case.id, level)
        return _out(session, caller, claim)


@router.patch("/claims/{id}", response_model=ClaimOut, summary="Accept or dispute a claim")
def patch_claim(id: ClaimId, body: ClaimPatch, db: DB, caller: Caller) -> ClaimOut:
    with db.transaction(caller.name) as session:
        claim = _claim(session, caller, id)
        for level in _levels(session, claim):
            require(caller, "write", claim.case_id, level)
        set_status(session, claim, body.status, body.note)
        return _out(session, caller, claim)


@router.delete("/claims/{id}", status_code=204, summary="Withdraw a claim (kept in history)")
def delete_claim(id: ClaimId, db: DB, caller: Caller) -> Response:
    with db.transaction(caller.name) as session:
        claim = _claim(session, caller, id)
        for level in _levels(session, claim):
            require(caller, "write", claim.case_id, level)
        withdraw(session, claim)
    return Response(status_code=204)
