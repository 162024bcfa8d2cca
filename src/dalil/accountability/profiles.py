"""Perpetrator profiles: the incidents a person is alleged to be involved in, with the degree of
involvement (HURIDOCS vocabulary) and its sources, their postings over time, and their names.

Persons of interest are those alleged to be perpetrators of an incident or posted to a unit. A
person is found by ID or by name: every word of the query must match a word of one of their names
(normalised; Arabic and Latin script compared through :mod:`dalil.accountability.names`). Views
only; nothing here writes. Everything is *alleged*: the views say so and carry the sources.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.accountability.graph import CaseData, evidence_for
from dalil.accountability.names import compare_words, words
from dalil.db import Incident, Person, Relation, kind_of
from dalil.documentation import get_entity, label
from dalil.errors import InvalidInput, NotFound
from dalil.vocab import vocabularies


def persons_of_interest(session: Session, data: CaseData) -> list[Person]:
    alleged = set(
        session.scalars(
            select(Relation.subject_id).where(
                Relation.case_id == data.case.id,
                Relation.relation_type == "alleged_perpetrator_in",
                Relation.deleted_at.is_(None),
            )
        )
    )
    posted = {p.subject_id for p in data.of_kind("posting")}
    people = [session.get(Person, i) for i in sorted(alleged | posted)]
    return [p for p in people if p is not None and p.deleted_at is None]


def name_hits(person: Person, query: str) -> list[str] | None:
    """Why ``person`` matches every word of ``query`` (one reason per word), or ``None``."""
    wanted = words(query)
    if not wanted:
        raise InvalidInput("person", "give an ID or at least one letter of a name")
    for name in person.names:
        have = words(name.full)
        reasons = []
        for w in wanted:
            match = next((m for h in have if (m := compare_words(w, h)) and m.score >= 0.6), None)
            prefix = next((h for h in have if h.startswith(w) and len(w) >= 3), None)
            if match is not None:
                reasons.append(f"{w} ~ {match.theirs}: {match.rule}")
            elif prefix is not None:
                reasons.append(f"{w}: beginning of {prefix}")
            else:
                break
        else:
            return [f"name {name.full!r}", *reasons]
    return None


def find_persons(session: Session, data: CaseData, query: str) -> list[tuple[Person, list[str]]]:
    """Persons of interest named by an ID (or ID prefix) or matched by name."""
    query = (query or "").strip()
    if kind_of(query) == "person":
        return [(get_entity(session, query, Person, case=data.case), ["by ID"])]
    found = [(p, why) for p in persons_of_interest(session, data) if (why := name_hits(p, query))]
    if not found:
        raise NotFound(
            f"no alleged perpetrator or posted person matches {query!r} in case {data.case.slug}"
        )
    return found


def profile(session: Session, data: CaseData, person: Person, lang: str = "en") -> dict[str, Any]:
    alleged = list(
        session.scalars(
            select(Relation)
            .where(
                Relation.subject_id == person.id,
                Relation.relation_type == "alleged_perpetrator_in",
                Relation.deleted_at.is_(None),
            )
            .order_by(Relation.created_at, Relation.id)
        )
    )
    evidence = evidence_for(session, [r.id for r in alleged], lang)
    degrees = vocabularies().get("involvement_degrees")
    incidents = []
    for rel in alleged:
        incident = session.get(Incident, rel.object_id)
        if incident is None or incident.deleted_at is not None:
            continue
        degree = rel.attributes.get("degree_of_involvement")
        incidents.append(
            {
                "relation_id": rel.id,
                "incident": {"id": incident.id, "label": label(session, incident, lang)},
                "date": None if incident.start_date is None else str(incident.start_date),
                "degree": degree,
                "degree_label": None if degree is None else degrees.label(degree, lang),
            }
            | evidence[rel.id].to_dict()
        )
    postings = sorted(
        (p for p in data.of_kind("posting") if p.subject_id == person.id),
        key=lambda p: (str(p.period.start.earliest()) if p.period.start else "", p.id),
    )
    return {
        "id": person.id,
        "label": label(session, person, lang),
        "sensitivity": person.sensitivity,
        "names": [
            {"full": n.full, "kind": n.kind, "script": n.script, "key": n.search_key}
            for n in person.names
        ],
        "alleged": "Involvement is alleged by the sources listed; it is not a finding.",
        "incidents": incidents,
        "postings": [p.to_dict(data.names) for p in postings],
    }
