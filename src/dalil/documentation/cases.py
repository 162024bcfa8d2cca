"""Cases: the investigation workspaces that hold everything else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.db import Case, Claim, Entity, Incident, Person, new_id
from dalil.db.history import ACTOR_KEY
from dalil.documentation.fields import Text
from dalil.errors import Conflict, InvalidInput

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def actor_of(session: Session) -> str:
    actor = session.info.get(ACTOR_KEY)
    if not actor:
        raise Conflict("no actor: changes must be made inside Database.transaction(actor)")
    return str(actor)


def create_case(
    session: Session,
    slug: str,
    *,
    title_en: str | None = None,
    title_ar: str | None = None,
    description: str | None = None,
    case_id: str | None = None,
) -> Case:
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        raise InvalidInput(
            "slug",
            f"{slug!r} is not a valid case slug: use 1-64 lowercase letters, digits and hyphens",
        )
    if session.scalar(select(Case.id).where(Case.slug == slug)) is not None:
        raise Conflict(f"a case with slug {slug!r} exists already")
    title_en = Text(max_length=500).parse("title_en", title_en)
    title_ar = Text(max_length=500).parse("title_ar", title_ar)
    if title_en is None and title_ar is None:
        raise InvalidInput("title", "give the case a title in English or Arabic (or both)")
    actor = actor_of(session)
    case = Case(
        id=case_id or new_id("case"),
        slug=slug,
        title_en=title_en,
        title_ar=title_ar,
        description=Text().parse("description", description),
        created_by=actor,
        updated_by=actor,
    )
    session.add(case)
    session.flush()
    return case


def list_cases(session: Session) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.deleted_at.is_(None)).order_by(Case.slug)))


@dataclass
class CaseSummary:
    case: Case
    entities: dict[str, int] = field(default_factory=dict)
    persons_by_status: dict[str, int] = field(default_factory=dict)
    claims: int = 0
    disputed_claims: int = 0
    incidents: list[Incident] = field(default_factory=list)


def summarise(session: Session, case: Case) -> CaseSummary:
    live = (Entity.case_id == case.id, Entity.deleted_at.is_(None))
    summary = CaseSummary(case=case)
    for kind, count in session.execute(
        select(Entity.kind, func.count()).where(*live).group_by(Entity.kind)
    ):
        summary.entities[kind] = count
    for status, count in session.execute(
        select(Person.status, func.count())
        .where(Person.case_id == case.id, Person.deleted_at.is_(None))
        .group_by(Person.status)
    ):
        summary.persons_by_status[status] = count
    claims = (Claim.case_id == case.id, Claim.deleted_at.is_(None))
    summary.claims = session.scalar(select(func.count()).select_from(Claim).where(*claims)) or 0
    summary.disputed_claims = (
        session.scalar(
            select(func.count()).select_from(Claim).where(*claims, Claim.status == "disputed")
        )
        or 0
    )
    summary.incidents = list(
        session.scalars(
            select(Incident)
            .where(Incident.case_id == case.id, Incident.deleted_at.is_(None))
            .order_by(Incident.start_date, Incident.id)
        )
    )
    return summary
