"""Read endpoints for cases, incidents and persons (engine: :mod:`dalil.documentation`).

Every handler finds the case through the caller's token, asks the policy (``require_read``) and
filters lists in SQL to the sensitivity levels the role may read, so pages and totals count only
what the caller may see; single records go through :func:`visible_view`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.access import Principal
from dalil.db import Case, Entity, Incident, IncidentViolation, Person
from dalil.documentation import (
    display_name,
    entity_view,
    get_case,
    search_matches,
)
from dalil.errors import NotFound
from dalil.values import search_key
from dalil.web.api.deps import Caller, ExpensiveCaller, Paging, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.schemas import (
    CaseOut,
    EntityOut,
    IncidentBrief,
    IncidentPage,
    PageInfo,
    PersonBrief,
    PersonPage,
    PersonPageInfo,
)
from dalil.web.api.visibility import readable_levels, require_read, visible_view

router = APIRouter(prefix="/api", tags=["documentation"], responses=ERROR_RESPONSES)

# A name search counts and orders at most this many persons: a common name (tens of thousands of
# matches) would otherwise cost its whole match list on every page (docs/api.md, "Search").
SEARCH_CAP = 1000

Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="The case's slug.")]
RecordId = Annotated[str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$", description="Full ID.")]


def _case(session: Session, caller: Principal, slug: str) -> tuple[Case, list[str]]:
    """The case, if the caller has a role in it; otherwise 404 as if it did not exist."""
    missing = f"no case {slug!r}"
    try:
        case = get_case(session, slug)
    except NotFound:
        raise NotFound(missing) from None
    require_read(caller, case.id, "public", missing)
    return case, readable_levels(caller, case.id)


@router.get("/cases/{slug}", response_model=CaseOut, summary="A case and what it holds")
def read_case(slug: Slug, session: Reader, caller: Caller) -> CaseOut:
    case, levels = _case(session, caller, slug)
    live = (Entity.case_id == case.id, Entity.deleted_at.is_(None), Entity.sensitivity.in_(levels))
    kinds = session.execute(select(Entity.kind, func.count()).where(*live).group_by(Entity.kind))
    statuses = session.execute(
        select(Person.status, func.count())
        .where(Person.case_id == case.id, Person.deleted_at.is_(None))
        .where(Person.sensitivity.in_(levels))
        .group_by(Person.status)
    )
    return CaseOut(
        id=case.id,
        slug=case.slug,
        title_en=case.title_en,
        title_ar=case.title_ar,
        description=case.description,
        role=caller.roles[case.id],
        entities={kind: int(n) for kind, n in kinds},
        persons_by_status={status: int(n) for status, n in statuses},
    )


@router.get("/cases/{slug}/incidents", response_model=IncidentPage, summary="A case's incidents")
def list_incidents(
    slug: Slug,
    session: Reader,
    caller: Caller,
    paging: Paging,
    violation_type: Annotated[
        str | None, Query(max_length=100, description="Only incidents of this violation type.")
    ] = None,
) -> IncidentPage:
    case, levels = _case(session, caller, slug)
    query = select(Incident).where(
        Incident.case_id == case.id,
        Incident.deleted_at.is_(None),
        Incident.sensitivity.in_(levels),
    )
    if violation_type is not None:
        query = query.where(
            Incident.id.in_(
                select(IncidentViolation.incident_id).where(
                    IncidentViolation.violation_type == violation_type
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Incident.start_date, Incident.id).limit(paging.limit).offset(paging.offset)
    )
    items = [
        IncidentBrief(
            id=i.id,
            title_en=i.title_en,
            title_ar=i.title_ar,
            start_date=None if i.start_date is None else str(i.start_date),
            end_date=None if i.end_date is None else str(i.end_date),
            violation_types=list(i.violation_types),
            sensitivity=i.sensitivity,
        )
        for i in rows
    ]
    return IncidentPage(items=items, page=PageInfo(**paging.__dict__, total=total))


@router.get("/cases/{slug}/persons", response_model=PersonPage, summary="Find a case's persons")
def list_persons(
    slug: Slug,
    session: Reader,
    caller: ExpensiveCaller,
    paging: Paging,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Words every one of which a name must contain (Arabic-normalised).",
        ),
    ] = None,
) -> PersonPage:
    case, levels = _case(session, caller, slug)
    items: list[PersonBrief]
    lower_bound = False
    if q is None:
        query = select(Person).where(
            Person.case_id == case.id, Person.deleted_at.is_(None), Person.sensitivity.in_(levels)
        )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Person.id).limit(paging.limit).offset(paging.offset))
        items = [_person(p, display_name(p)) for p in rows]
    elif not search_key(q).split():
        total, items = 0, []  # nothing searchable (only punctuation or spaces): no match
    else:
        # Levels are a prefix of the policy's order: the search pages and counts in SQL, under
        # the highest one, and never loads a person the caller may not read.
        found = search_matches(
            session, case, q, offset=paging.offset, limit=paging.limit,
            max_sensitivity=levels[-1], cap=SEARCH_CAP,
        )  # fmt: skip
        total, lower_bound = found.total, found.total_is_lower_bound
        items = [
            PersonBrief(id=m.id, name=m.name, status=m.status, sensitivity=m.sensitivity)
            for m in found.matches
        ]
    info = PersonPageInfo(**paging.__dict__, total=total, total_is_lower_bound=lower_bound)
    return PersonPage(items=items, page=info)


def _person(person: Person, name: str) -> PersonBrief:
    return PersonBrief(
        id=person.id, name=name, status=person.status, sensitivity=person.sensitivity
    )


def _record(session: Session, caller: Principal, cls: type[Entity], ref: str) -> dict[str, Any]:
    """One record of a case the caller has a role in, as it may see it; else 404."""
    missing = f"no {cls.__mapper__.polymorphic_identity} {ref!r}"
    entity = session.get(cls, ref)
    if entity is None or entity.deleted_at is not None or entity.case_id not in caller.roles:
        raise NotFound(missing)
    require_read(caller, entity.case_id, entity.sensitivity, missing)
    return visible_view(session, caller, entity.case_id, entity_view(session, entity), missing)


@router.get("/incidents/{id}", response_model=EntityOut, summary="One incident")
def read_incident(id: RecordId, session: Reader, caller: Caller) -> dict[str, Any]:
    return _record(session, caller, Incident, id)


@router.get("/persons/{id}", response_model=EntityOut, summary="One person")
def read_person(id: RecordId, session: Reader, caller: Caller) -> dict[str, Any]:
    return _record(session, caller, Person, id)
