"""Capture histories from a Dalil case: from the registry when its lists have been linked.

When a link run has made registry persons in the case (issue 4), each active registry person is
one person and "appears on list L" when one of its list records comes from L
(:func:`dalil.registry.views.capture_histories`); the lists are the sources with list records.

Otherwise (the fallback) a person of the case "appears on list L" when a live claim about that
person cites the live source L, and the lists are the case's sources of type ``list`` (or the
sources named). Each person record is taken to be one real person: records of the same person
that were never merged count twice and look like people on fewer lists — which inflates the
estimate (see docs/estimation.md).

Strata: ``sex``; ``year`` of the person's status date; ``governorate`` that contains the place of
the first incident the person is ``victim_of``. Unknown values form the stratum ``unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.db import Case, Claim, Incident, Person, Place, Relation, Source
from dalil.documentation import get_entity
from dalil.errors import InvalidInput
from dalil.estimation.captures import CaptureTable
from dalil.registry.views import capture_histories, has_registry

STRATA = ("sex", "year", "governorate")
UNKNOWN = "unknown"


@dataclass
class CaseCaptures:
    """Capture tables of a case's persons over its lists, whole or per stratum."""

    case_id: str
    lists: dict[str, dict[str, str]]  # list name in the table → {"source_id", "title"}
    tables: dict[str, CaptureTable]  # {"": table} when not stratified
    by: str | None = None
    persons: int = 0  # live persons in the case
    not_on_lists: int = 0  # of them, on none of the chosen lists
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> CaptureTable:
        """All strata together."""
        tables = list(self.tables.values())
        counts: dict[str, int] = {}
        for t in tables:
            for pattern, count in t.counts.items():
                counts[pattern] = counts.get(pattern, 0) + count
        return CaptureTable(tables[0].lists, counts)


def _list_name(title: str, taken: set[str], position: int) -> str:
    name = re.sub(r"[\s,:;\[\]]+", "_", title.strip()).strip("_")[:16]
    if not name or name in taken:
        name = f"L{position}"
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def _sources(session: Session, case: Case, refs: Sequence[str] | None) -> list[Source]:
    if refs:
        chosen = [get_entity(session, ref, Source, case=case) for ref in refs]
        if len({s.id for s in chosen}) != len(chosen):
            raise InvalidInput("lists", "a source is named twice")
        return chosen
    return list(
        session.scalars(
            select(Source)
            .where(
                Source.case_id == case.id,
                Source.deleted_at.is_(None),
                Source.source_type == "list",
            )
            .order_by(Source.title, Source.id)
        )
    )


def _governorates(session: Session, case: Case) -> dict[str, str]:
    """Person ID → name of the governorate of the first incident they are a victim of."""
    places = {p.id: p for p in session.scalars(select(Place).where(Place.case_id == case.id))}

    def governorate(place_id: str | None) -> str | None:
        seen = set()
        while place_id is not None and place_id not in seen and place_id in places:
            seen.add(place_id)
            place = places[place_id]
            if place.place_type == "governorate":
                return place.name_en or place.name_ar or place.id
            place_id = place.parent_id
        return None

    incidents = {
        i.id: (str(i.start_date or "9999"), governorate(i.place_id))  # undated incidents last
        for i in session.scalars(
            select(Incident).where(Incident.case_id == case.id, Incident.deleted_at.is_(None))
        )
    }
    victims = session.execute(
        select(Relation.subject_id, Relation.object_id).where(
            Relation.case_id == case.id,
            Relation.relation_type == "victim_of",
            Relation.deleted_at.is_(None),
        )
    )
    found: dict[str, tuple[tuple[str, str], str]] = {}
    for person_id, incident_id in victims:
        if incident_id not in incidents:
            continue
        start, name = incidents[incident_id]
        key = (start, incident_id)
        if name is not None and (person_id not in found or key < found[person_id][0]):
            found[person_id] = (key, name)
    return {person: name for person, (_, name) in found.items()}


def case_captures(
    session: Session, case: Case, *, lists: Sequence[str] | None = None, by: str | None = None
) -> CaseCaptures:
    if by is not None and by not in STRATA:
        raise InvalidInput("by", f"{by!r}: stratify by {', '.join(STRATA)}")
    if has_registry(session, case.id):
        return _registry_captures(session, case, lists, by)
    sources = _sources(session, case, lists)
    if len(sources) < 2:
        raise InvalidInput(
            "lists",
            f"the case has {len(sources)} list source(s); an estimate needs at least two",
            hint="add each victim list as a source (--type list) and cite it in claims "
            "about the persons it names",
        )
    taken: set[str] = set()
    names = [_list_name(s.title, taken, i) for i, s in enumerate(sources, start=1)]
    position = {s.id: i for i, s in enumerate(sources)}
    persons = list(
        session.scalars(
            select(Person).where(Person.case_id == case.id, Person.deleted_at.is_(None))
        )
    )
    on: dict[str, set[int]] = {}
    cited = session.execute(
        select(Claim.subject_id, Claim.source_id)
        .join(Person, Person.id == Claim.subject_id)
        .where(
            Claim.case_id == case.id,
            Claim.deleted_at.is_(None),
            Claim.source_id.in_(list(position)),
            Person.deleted_at.is_(None),
        )
    )
    for person_id, source_id in cited:
        on.setdefault(person_id, set()).add(position[source_id])
    governorates = _governorates(session, case) if by == "governorate" else {}
    histories: dict[str, list[str]] = {}
    for person in persons:
        if person.id not in on:
            continue
        pattern = "".join("1" if i in on[person.id] else "0" for i in range(len(sources)))
        histories.setdefault(_stratum(person, by, governorates), []).append(pattern)
    if not histories:
        raise InvalidInput(
            "lists", "no person of the case is cited by these lists, so there is nothing to count"
        )
    return CaseCaptures(
        case_id=case.id,
        lists={
            name: {"source_id": s.id, "title": s.title}
            for name, s in zip(names, sources, strict=True)
        },
        tables={
            stratum: CaptureTable.from_histories(patterns, names)
            for stratum, patterns in sorted(histories.items())
        },
        by=by,
        persons=len(persons),
        not_on_lists=len(persons) - len(on),
    )


def _registry_captures(
    session: Session, case: Case, refs: Sequence[str] | None, by: str | None
) -> CaseCaptures:
    chosen = [s.id for s in _sources(session, case, refs)] if refs else None
    histories = capture_histories(session, case.id, lists=chosen)
    if len(histories.lists) < 2:
        raise InvalidInput(
            "lists",
            f"the registry has records from {len(histories.lists)} list(s); an estimate needs "
            "at least two",
            hint="import each victim list with `dalil lists import` and link them",
        )
    if not histories.patterns:
        raise InvalidInput("lists", "no registry person is on these lists: nothing to count")
    taken: set[str] = set()
    names = [_list_name(e["title"], taken, i) for i, e in enumerate(histories.lists, start=1)]
    strata = histories.strata[by] if by is not None else [""] * len(histories.patterns)
    grouped: dict[str, list[str]] = {}
    for stratum, pattern in zip(strata, histories.patterns, strict=True):
        grouped.setdefault(stratum, []).append(pattern)
    return CaseCaptures(
        case_id=case.id,
        lists={
            name: {"source_id": e["source_id"], "title": e["title"]}
            for name, e in zip(names, histories.lists, strict=True)
        },
        tables={
            stratum: CaptureTable.from_histories(patterns, names)
            for stratum, patterns in sorted(grouped.items())
        },
        by=by,
        persons=len(histories.patterns) + histories.not_on_lists,
        not_on_lists=histories.not_on_lists,
        notes=["capture histories from the registry: one registry person per person"],
    )


def _stratum(person: Person, by: str | None, governorates: dict[str, str]) -> str:
    if by is None:
        return ""
    if by == "sex":
        return person.sex or UNKNOWN
    if by == "year":
        return str(person.status_date.year) if person.status_date is not None else UNKNOWN
    return governorates.get(person.id, UNKNOWN)
