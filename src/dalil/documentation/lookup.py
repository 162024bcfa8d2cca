"""Finding cases and entities from what a user types: a slug, a full ID or a unique ID prefix."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from sqlalchemy import Select, String, bindparam, func, select
from sqlalchemy.orm import Session

from dalil.db import Case, Entity, kind_of
from dalil.errors import Ambiguous, InvalidInput, NotFound, a

E = TypeVar("E", bound=Entity)
MIN_PREFIX = 6


@cache
def _case_statement() -> Select[Case]:
    """Built once: every API request finds its case by slug."""
    ref = bindparam("ref", type_=String)
    return select(Case).where((Case.slug == ref) | (Case.id == ref), Case.deleted_at.is_(None))


def get_case(session: Session, ref: str | None) -> Case:
    if ref is None or not ref.strip():
        raise InvalidInput("case", "no case given", hint="pass --case SLUG or set DALIL_CASE")
    ref = ref.strip()
    _check_ref("case", ref)
    case = session.scalar(_case_statement(), {"ref": ref})
    if case is None:
        raise NotFound(f"no case {ref!r}", hint="`dalil case list` shows the cases")
    return case


def get_entity(
    session: Session,
    ref: str,
    cls: type[E],
    *,
    case: Case | None = None,
    include_deleted: bool = False,
) -> E:
    """The entity an ID (or an unambiguous prefix of at least six characters) names."""
    ref = (ref or "").strip()
    wanted = cls.__mapper__.polymorphic_identity or "entity"
    _check_ref(wanted, ref)
    if len(ref) < MIN_PREFIX:
        raise InvalidInput(wanted, f"{ref!r} is too short to name a record (give its ID)")
    named = kind_of(ref)
    if named is not None and cls is not Entity and named != wanted:
        raise InvalidInput(wanted, f"{ref} names {a(named)}, not {a(wanted)}")
    exact = session.get(cls, ref)  # the identity map first: no query for a record in hand
    in_case = exact is not None and (case is None or exact.case_id == case.id)
    if in_case and exact is not None and (include_deleted or exact.deleted_at is None):
        return exact
    # LIKE narrows (and is case-insensitive on SQLite); substr makes the match exact everywhere.
    query = (
        select(cls)
        .where(
            cls.id.startswith(ref, autoescape=True),
            func.substr(cls.id, 1, len(ref)) == ref,
        )
        .limit(2)
    )
    if case is not None:
        query = query.where(cls.case_id == case.id)
    if not include_deleted:
        query = query.where(cls.deleted_at.is_(None))
    found = list(session.scalars(query))
    if not found:
        where = f" in case {case.slug}" if case is not None else ""
        raise NotFound(f"no {wanted} {ref!r}{where}")
    if len(found) > 1 and found[0].id != ref:
        raise Ambiguous(f"{ref!r} matches more than one {wanted}; give more of the ID")
    return found[0]


def _check_ref(what: str, ref: str) -> None:
    if len(ref) > 200 or any(ch in ref for ch in "\x00\r\n"):
        raise InvalidInput(what, "is not a record reference (too long or with control characters)")
