"""Places, incidents, persons, organisations, sources and relations: list, read, create, change,
delete (soft) and restore, through :mod:`dalil.documentation` and the same policy as the CLI.

Reads answer 404 for whatever the caller may not read (another case, a higher sensitivity);
writes run in one ``Database.transaction(caller)`` and are refused (403) unless the caller may
``write`` at the record's sensitivity before and after the change. This module must never return
a record, a label or a total the caller's role may not read.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.access import Principal, require
from dalil.db import Case, Entity, Incident, Organisation, Person, Place, Relation, Source
from dalil.documentation import (
    NameInput,
    add_person,
    add_relation,
    create,
    entity_view,
    get_case,
    label,
    restore,
    set_violation_types,
    soft_delete,
    update,
)
from dalil.errors import InvalidInput, NotFound
from dalil.web.api.deps import DB, Caller, Paging, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.schemas import EntityOut, PageInfo
from dalil.web.api.visibility import readable_levels, require_read, visible_view

router = APIRouter(prefix="/api", tags=["records"], responses=ERROR_RESPONSES)

Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="The case's slug.")]
RecordId = Annotated[str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$", description="Full ID.")]
FieldValue = str | int | float | bool | None

# No `from __future__ import annotations` here: the handlers below are made in a loop, and
# FastAPI must see their annotations (which use the loop's values) already evaluated.

# URL segment → (kind, class, the column a `type` filter applies to)
KINDS: dict[str, tuple[str, type[Entity], str | None]] = {
    "places": ("place", Place, "place_type"),
    "incidents": ("incident", Incident, None),
    "persons": ("person", Person, "status"),
    "organisations": ("organisation", Organisation, "org_type"),
    "sources": ("source", Source, "source_type"),
    "relations": ("relation", Relation, "relation_type"),
}


class RecordBrief(BaseModel):
    id: str
    kind: str
    label: str
    sensitivity: str


class RecordPage(BaseModel):
    items: list[RecordBrief]
    page: PageInfo


class NameIn(BaseModel):
    given: str | None = Field(default=None, max_length=200)
    father: str | None = Field(default=None, max_length=200)
    grandfather: str | None = Field(default=None, max_length=200)
    family: str | None = Field(default=None, max_length=200)
    mother: str | None = Field(default=None, max_length=200)
    full: str | None = Field(default=None, max_length=500)
    kind: str = Field(default="primary", max_length=32)


class RecordIn(BaseModel):
    """A new record: ``fields`` as the CLI takes them (text is parsed and checked there)."""

    fields: dict[str, FieldValue] = Field(
        default_factory=dict,
        max_length=40,
        description='Field → value, e.g. {"title_en": "…", "start_date": "2013-04", '
        '"sensitivity": "restricted"}.',
    )
    violation_types: list[str] | None = Field(
        default=None, max_length=50, description="Incidents only."
    )
    names: list[NameIn] | None = Field(
        default=None, max_length=50, description="Persons only: the first is the primary name."
    )


class RelationIn(BaseModel):
    relation_type: str = Field(max_length=64)
    subject: str = Field(max_length=80, description="ID of the subject record.")
    object: str = Field(max_length=80, description="ID of the object record.")
    attributes: dict[str, str] = Field(default_factory=dict, max_length=20)
    fields: dict[str, FieldValue] = Field(default_factory=dict, max_length=20)


class RecordPatch(BaseModel):
    fields: dict[str, FieldValue] = Field(default_factory=dict, max_length=40)
    violation_types: list[str] | None = Field(default=None, max_length=50)


def caller_case(session: Session, caller: Principal, slug: str) -> Case:
    """The case, if the caller has a role in it; otherwise 404 as if it did not exist."""
    missing = f"no case {slug!r}"
    try:
        case = get_case(session, slug)
    except (NotFound, InvalidInput):
        raise NotFound(missing) from None
    require_read(caller, case.id, "public", missing)
    return case


def readable(session: Session, caller: Principal, cls: type[Entity], ref: str) -> Entity:
    """A live record of a case the caller may read at its sensitivity; else 404."""
    missing = f"no {cls.__mapper__.polymorphic_identity} {ref!r}"
    entity = session.get(cls, ref)
    if entity is None or entity.deleted_at is not None or entity.case_id not in caller.roles:
        raise NotFound(missing)
    require_read(caller, entity.case_id, entity.sensitivity, missing)
    return entity


def shown(session: Session, caller: Principal, entity: Entity) -> dict[str, Any]:
    missing = f"no {entity.kind} {entity.id!r}"
    return visible_view(session, caller, entity.case_id, entity_view(session, entity), missing)


def _text(values: dict[str, FieldValue]) -> dict[str, Any]:
    return {k: (v if v is None or isinstance(v, str) else str(v)) for k, v in values.items()}


def _list(segment: str) -> Any:
    kind, cls, type_column = KINDS[segment]

    def list_records(
        slug: Slug,
        session: Reader,
        caller: Caller,
        paging: Paging,
        type: Annotated[
            str | None,
            Query(max_length=64, description=f"Only records with this {type_column}."),
        ] = None,
        sensitivity: Annotated[
            str | None,
            Query(pattern="^(public|restricted|confidential)$", description="Only this level."),
        ] = None,
    ) -> RecordPage:
        case = caller_case(session, caller, slug)
        levels = readable_levels(caller, case.id)
        if sensitivity is not None:
            levels = [lvl for lvl in levels if lvl == sensitivity]
        query = select(cls).where(
            cls.case_id == case.id, cls.deleted_at.is_(None), cls.sensitivity.in_(levels)
        )
        if type is not None and type_column is not None:
            query = query.where(getattr(cls, type_column) == type)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(query.order_by(cls.id).limit(paging.limit).offset(paging.offset))
        )
        items = []
        for entity in rows:
            if isinstance(entity, Relation):
                # A relation is listed only when both its ends are readable too.
                ends = [
                    session.get(Entity, entity.subject_id),
                    session.get(Entity, entity.object_id),
                ]
                if any(e is None or e.sensitivity not in levels for e in ends):
                    total -= 1
                    continue
            items.append(
                RecordBrief(
                    id=entity.id,
                    kind=kind,
                    label=label(session, entity),
                    sensitivity=entity.sensitivity,
                )
            )
        return RecordPage(items=items, page=PageInfo(**paging.__dict__, total=total))

    list_records.__name__ = f"list_{segment}"
    return list_records


def _read(segment: str) -> Any:
    _, cls, _ = KINDS[segment]

    def read_record(id: RecordId, session: Reader, caller: Caller) -> dict[str, Any]:
        return shown(session, caller, readable(session, caller, cls, id))

    read_record.__name__ = f"read_{KINDS[segment][0]}"
    return read_record


def _create(segment: str) -> Any:
    kind, _, _ = KINDS[segment]

    def create_record(slug: Slug, body: RecordIn, db: DB, caller: Caller) -> dict[str, Any]:
        with db.reader() as session:
            case_id = caller_case(session, caller, slug).id
        require(caller, "write", case_id, "public")
        with db.transaction(caller.name) as session:
            case = session.get(Case, case_id)
            assert case is not None
            values = _text(body.fields)
            entity: Entity
            if kind == "person":
                if not body.names:
                    raise InvalidInput("names", "a person needs at least one name")
                names = [NameInput(**n.model_dump()) for n in body.names]
                entity = add_person(session, case, names, values)
            else:
                if body.names is not None:
                    raise InvalidInput("names", f"only persons have names, not {kind}s")
                if body.violation_types is not None and kind != "incident":
                    raise InvalidInput("violation_types", "only incidents have violation types")
                entity = create(session, case, kind, values, violation_types=body.violation_types)
            require(caller, "write", case.id, entity.sensitivity)
            return shown(session, caller, entity)

    create_record.__name__ = f"create_{kind}"
    return create_record


def _patch(segment: str) -> Any:
    kind, cls, _ = KINDS[segment]

    def patch_record(id: RecordId, body: RecordPatch, db: DB, caller: Caller) -> dict[str, Any]:
        with db.transaction(caller.name) as session:
            entity = readable(session, caller, cls, id)
            require(caller, "write", entity.case_id, entity.sensitivity)
            if body.fields:
                update(session, entity, _text(body.fields))
            if body.violation_types is not None:
                if not isinstance(entity, Incident):
                    raise InvalidInput("violation_types", "only incidents have violation types")
                set_violation_types(entity, body.violation_types)
                session.flush()
            require(caller, "write", entity.case_id, entity.sensitivity)
            return shown(session, caller, entity)

    patch_record.__name__ = f"update_{kind}"
    return patch_record


def _delete(segment: str) -> Any:
    kind, cls, _ = KINDS[segment]

    def delete_record(id: RecordId, db: DB, caller: Caller) -> Response:
        with db.transaction(caller.name) as session:
            entity = readable(session, caller, cls, id)
            require(caller, "write", entity.case_id, entity.sensitivity)
            soft_delete(session, entity)
        return Response(status_code=204)

    delete_record.__name__ = f"delete_{kind}"
    return delete_record


def _restore(segment: str) -> Any:
    kind, cls, _ = KINDS[segment]

    def restore_record(id: RecordId, db: DB, caller: Caller) -> dict[str, Any]:
        with db.transaction(caller.name) as session:
            missing = f"no {kind} {id!r}"
            entity = session.get(cls, id)
            if entity is None or entity.case_id not in caller.roles:
                raise NotFound(missing)
            require_read(caller, entity.case_id, entity.sensitivity, missing)
            require(caller, "write", entity.case_id, entity.sensitivity)
            restore(session, entity)
            return shown(session, caller, entity)

    restore_record.__name__ = f"restore_{kind}"
    return restore_record


for _segment, (_kind, _cls, _) in KINDS.items():
    if _segment not in ("incidents", "persons"):  # listed (with search) in documentation.py
        router.add_api_route(
            f"/cases/{{slug}}/{_segment}", _list(_segment), methods=["GET"],
            response_model=RecordPage, summary=f"A case's {_segment}",
        )  # fmt: skip
        router.add_api_route(
            f"/{_segment}/{{id}}", _read(_segment), methods=["GET"], response_model=EntityOut,
            summary=f"One {_kind}",
        )  # fmt: skip
    if _segment != "relations":
        router.add_api_route(
            f"/cases/{{slug}}/{_segment}", _create(_segment), methods=["POST"],
            response_model=EntityOut, status_code=201, summary=f"Add a {_kind}",
        )  # fmt: skip
    router.add_api_route(
        f"/{_segment}/{{id}}", _patch(_segment), methods=["PATCH"], response_model=EntityOut,
        summary=f"Change a {_kind}'s fields",
    )  # fmt: skip
    router.add_api_route(
        f"/{_segment}/{{id}}", _delete(_segment), methods=["DELETE"], status_code=204,
        summary=f"Delete a {_kind} (soft: restorable, kept in history)",
    )  # fmt: skip
    router.add_api_route(
        f"/{_segment}/{{id}}/restore", _restore(_segment), methods=["POST"],
        response_model=EntityOut, summary=f"Restore a deleted {_kind}",
    )  # fmt: skip


@router.post(
    "/cases/{slug}/relations", response_model=EntityOut, status_code=201, summary="Add a relation"
)
def create_relation(slug: Slug, body: RelationIn, db: DB, caller: Caller) -> dict[str, Any]:
    with db.reader() as session:
        case_id = caller_case(session, caller, slug).id
    require(caller, "write", case_id, "public")
    with db.transaction(caller.name) as session:
        case = session.get(Case, case_id)
        assert case is not None
        for end in (body.subject, body.object):
            ref = session.get(Entity, end)
            if ref is not None and ref.case_id == case.id:
                require_read(caller, case.id, ref.sensitivity, f"no record {end!r}")
        relation = add_relation(
            session, case, body.relation_type, body.subject, body.object,
            attributes=body.attributes, fields=_text(body.fields),
        )  # fmt: skip
        require(caller, "write", case.id, relation.sensitivity)
        return shown(session, caller, relation)
