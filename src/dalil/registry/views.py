"""Registry views: persons of the registry with the best value of each field, counts, exports and
capture histories (person × list) for estimation. Used by the CLI, the API and the web.

A registry person is a cluster of list records made by a link run. Its *best value* of a field is
the value most of its records give (ignoring records that give none); a tie goes to the value of
the most complete record (most derived fields filled), then to the earliest record. Every value
says which records gave it, so a reader can always go back to the rows as written.

Reads only: nothing here changes a record, a person or a redirect. Retired IDs are never reused:
asking for one answers with the ID(s) it became.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dalil.db import Source
from dalil.db.models_registry import (
    ListRecord,
    RegistryMember,
    RegistryPerson,
    RegistryRedirect,
)
from dalil.errors import InvalidInput, NotFound
from dalil.registry.records import RECORD_FIELDS, record_view
from dalil.values import search_key

__all__ = [
    "BEST_FIELDS",
    "CaptureHistories",
    "capture_histories",
    "export_captures_csv",
    "export_csv",
    "has_registry",
    "registry_counts",
    "registry_person",
    "registry_persons",
]

BEST_FIELDS = tuple(f for f in RECORD_FIELDS if f not in ("notes", "external_id", "place_id"))
NAME_COLUMNS = ("full_name", "given", "father", "grandfather", "family", "mother")
_COLUMNS = [getattr(ListRecord, f) for f in BEST_FIELDS]
UNKNOWN = "unknown"


def _text(value: Any) -> Any:
    return str(value) if value is not None and not isinstance(value, int | float) else value


@dataclass
class _Member:
    record_id: str
    source_id: str
    row_number: int
    values: dict[str, Any]

    @property
    def filled(self) -> int:
        return sum(v is not None for v in self.values.values())


def _member(row: Sequence[Any]) -> _Member:
    record_id, source_id, row_number = row[0], row[1], row[2]
    values = row[3:]
    return _Member(
        str(record_id),
        str(source_id),
        int(row_number),
        {f: _text(v) for f, v in zip(BEST_FIELDS, values, strict=True)},
    )


def best_values(members: Sequence[_Member]) -> dict[str, dict[str, Any]]:
    """Per field: the best value, the records that give it, and how many records give another."""
    rank = {m.record_id: (-m.filled, m.record_id) for m in members}
    best: dict[str, dict[str, Any]] = {}
    for name in BEST_FIELDS:
        given = [(m.values[name], m.record_id) for m in members if m.values[name] not in (None, "")]
        if not given:
            continue
        counts = Counter(v for v, _ in given)
        top = max(counts.values())
        tied = {v for v, c in counts.items() if c == top}
        chosen = min(((rank[r], v) for v, r in given if v in tied), key=lambda x: x[0])[1]
        best[name] = {
            "value": chosen,
            "records": sorted(r for v, r in given if v == chosen),
            "other_values": sorted({str(v) for v in counts if v != chosen}),
        }
    return best


def _members_query(case_id: str) -> Any:
    return (
        select(
            RegistryMember.registry_person_id,
            ListRecord.id,
            ListRecord.source_id,
            ListRecord.row_number,
            *_COLUMNS,
        )
        .join(ListRecord, ListRecord.id == RegistryMember.record_id)
        .join(RegistryPerson, RegistryPerson.id == RegistryMember.registry_person_id)
        .where(RegistryPerson.case_id == case_id, RegistryPerson.status == "active")
    )


def _stream(session: Session, case_id: str) -> Iterator[tuple[str, list[_Member]]]:
    """Every active person of the case with its members, one at a time (constant memory)."""
    query = _members_query(case_id).order_by(RegistryMember.registry_person_id, ListRecord.id)
    current: str | None = None
    members: list[_Member] = []
    for row in session.execute(query.execution_options(yield_per=5000)):
        person_id = row[0]
        if person_id != current:
            if current is not None:
                yield current, members
            current, members = person_id, []
        members.append(_member(row[1:]))
    if current is not None:
        yield current, members


def _summary(person: RegistryPerson, members: list[_Member]) -> dict[str, Any]:
    return {
        "id": person.id,
        "status": person.status,
        "person_id": person.person_id,
        "records": [m.record_id for m in members],
        "lists": sorted({m.source_id for m in members}),
        "fields": best_values(members),
    }


def has_registry(session: Session, case_id: str) -> bool:
    """Whether a link run has made registry persons in the case."""
    found = session.scalar(
        select(RegistryPerson.id).where(RegistryPerson.case_id == case_id).limit(1)
    )
    return found is not None


def registry_persons(
    session: Session, case_id: str, *, q: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """A page of the case's active registry persons (by ID), each with its best values.

    ``q`` keeps persons one of whose records has a name containing ``q``, Arabic spelling
    variants and case folded (``احمد`` finds أحمد).
    """
    if limit < 1 or offset < 0:
        raise InvalidInput("limit", "limit must be at least 1 and offset at least 0")
    query = select(RegistryPerson).where(
        RegistryPerson.case_id == case_id, RegistryPerson.status == "active"
    )
    if q is not None and q.strip():
        if not search_key(q):
            return []  # only punctuation or symbols: no name contains it
        query = query.where(RegistryPerson.id.in_(_matching(session, case_id, q)))
    persons = list(session.scalars(query.order_by(RegistryPerson.id).limit(limit).offset(offset)))
    if not persons:
        return []
    rows = session.execute(
        _members_query(case_id)
        .where(RegistryMember.registry_person_id.in_([p.id for p in persons]))
        .order_by(ListRecord.id)
    )
    members: dict[str, list[_Member]] = {p.id: [] for p in persons}
    for row in rows:
        members[row[0]].append(_member(row[1:]))
    return [_summary(p, members[p.id]) for p in persons]


_FOLDED = frozenset("اهيوك")  # letters that search_key folds several spellings into


def _matching(session: Session, case_id: str, q: str) -> list[str]:
    """Registry persons with a record whose names contain every word of ``q``, compared as
    search keys (spelling variants and case folded), in any order.

    SQL narrows by the longest word with a LIKE pattern in which every letter with variant
    spellings (أ/إ/ا, ة/ه, ى/ي…) is a wildcard; the exact test on the folded names is made here.
    """
    words = search_key(q).split()
    longest = max(words, key=len)
    pattern = "".join("_" if c in _FOLDED else "\\" + c if c in "%_\\" else c for c in longest)
    rows = session.execute(
        select(RegistryMember.registry_person_id, *(getattr(ListRecord, c) for c in NAME_COLUMNS))
        .join(ListRecord, ListRecord.id == RegistryMember.record_id)
        .where(
            ListRecord.case_id == case_id,
            or_(
                *(
                    func.lower(getattr(ListRecord, c)).like(f"%{pattern}%", escape="\\")
                    for c in NAME_COLUMNS
                )
            ),
        )
    )
    found = set()
    for person_id, *names in rows:
        text = search_key(" ".join(n for n in names if n))
        if all(word in text for word in words):
            found.add(person_id)
    return sorted(found)


def _current(session: Session, old_id: str) -> list[dict[str, str]]:
    """The active IDs a retired ID leads to, following redirects through later runs."""
    found: list[dict[str, str]] = []
    seen = {old_id}
    frontier = [(old_id, "")]
    while frontier:
        at, why = frontier.pop(0)
        for new_id, reason in session.execute(
            select(RegistryRedirect.new_id, RegistryRedirect.reason)
            .where(RegistryRedirect.old_id == at)
            .order_by(RegistryRedirect.new_id)
        ):
            if new_id in seen:
                continue
            seen.add(new_id)
            target = session.get(RegistryPerson, new_id)
            chain = f"{why}, then {reason}" if why else reason
            if target is not None and target.status == "active":
                found.append({"id": new_id, "reason": chain})
            else:
                frontier.append((new_id, chain))
    return found


def registry_person(session: Session, person_id: str) -> dict[str, Any]:
    """One registry person with its records in full; a retired ID answers with its successors."""
    person = session.get(RegistryPerson, person_id.strip())
    if person is None:
        raise NotFound(
            f"no registry person {person_id!r}",
            hint="`dalil registry list --case C` shows the registry's persons",
        )
    if person.status != "active":
        return {
            "id": person.id,
            "status": person.status,
            "retired_run_id": person.retired_run_id,
            "redirects": _current(session, person.id),
        }
    records = list(
        session.scalars(
            select(ListRecord)
            .join(RegistryMember, RegistryMember.record_id == ListRecord.id)
            .where(RegistryMember.registry_person_id == person.id)
            .order_by(ListRecord.id)
        )
    )
    members = [
        _Member(r.id, r.source_id, r.row_number, {f: _text(getattr(r, f)) for f in BEST_FIELDS})
        for r in records
    ]
    view = _summary(person, members)
    view["created_run_id"] = person.created_run_id
    view["record_details"] = [record_view(r) for r in records]
    view["redirected_from"] = list(
        session.scalars(
            select(RegistryRedirect.old_id)
            .where(RegistryRedirect.new_id == person.id)
            .order_by(RegistryRedirect.old_id)
        )
    )
    return view


def _best(members: list[_Member], name: str) -> Any:
    values = best_values(members).get(name)
    return None if values is None else values["value"]


def _year(members: list[_Member]) -> str:
    best = best_values(members)
    for name in ("status_date", "death_date"):
        if name in best:
            return str(best[name]["value"]).lstrip("~")[:4]
    return UNKNOWN


def _titles(session: Session, case_id: str) -> dict[str, str]:
    return dict(
        session.execute(
            select(Source.id, Source.title).where(
                Source.id.in_(
                    select(ListRecord.source_id).where(ListRecord.case_id == case_id).distinct()
                )
            )
        ).all()
    )


def registry_counts(session: Session, case_id: str) -> dict[str, Any]:
    """Active persons of the case counted by list, status, governorate and year (best values)."""
    titles = _titles(session, case_id)
    by_list: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_place: Counter[str] = Counter()
    by_year: Counter[str] = Counter()
    total = records = 0
    for _, members in _stream(session, case_id):
        total += 1
        records += len(members)
        best = best_values(members)
        for source_id in {m.source_id for m in members}:
            by_list[source_id] += 1
        by_status[str(best["status"]["value"]) if "status" in best else UNKNOWN] += 1
        by_place[str(best["governorate"]["value"]) if "governorate" in best else UNKNOWN] += 1
        by_year[_year(members)] += 1
    return {
        "persons": total,
        "records": records,
        "by_list": [
            {"source_id": s, "title": titles.get(s), "persons": n}
            for s, n in sorted(by_list.items())
        ],
        "by_status": dict(sorted(by_status.items())),
        "by_governorate": dict(sorted(by_place.items())),
        "by_year": dict(sorted(by_year.items())),
    }


def export_csv(session: Session, case_id: str, out: TextIO) -> int:
    """Write one CSV row per active person: best values, lists and records. Returns the count."""
    writer = csv.writer(out)
    writer.writerow(["registry_id", *BEST_FIELDS, "record_count", "lists", "records"])
    count = 0
    for person_id, members in _stream(session, case_id):
        best = best_values(members)
        writer.writerow(
            [
                person_id,
                *(best[f]["value"] if f in best else "" for f in BEST_FIELDS),
                len(members),
                ";".join(sorted({m.source_id for m in members})),
                ";".join(m.record_id for m in members),
            ]
        )
        count += 1
    return count


@dataclass
class CaptureHistories:
    """Which lists each registry person is on (1) or not (0), with the values to stratify by."""

    lists: list[dict[str, str]]  # [{"source_id", "title"}] in column order
    persons: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)  # "101…", one character per list
    strata: dict[str, list[str]] = field(default_factory=dict)  # sex/year/governorate per person
    not_on_lists: int = 0  # active persons on none of the chosen lists


def capture_histories(
    session: Session, case_id: str, *, lists: Sequence[str] | None = None
) -> CaptureHistories:
    """The person × list table of the case's active registry persons.

    ``lists`` are Source IDs (default: every source with records in the case, by title).
    """
    titles = _titles(session, case_id)
    if lists:
        unknown = [s for s in lists if s not in titles]
        if unknown:
            raise InvalidInput(
                "lists", f"{', '.join(unknown)}: no records of the case come from it"
            )
        chosen = list(dict.fromkeys(lists))
    else:
        chosen = sorted(titles, key=lambda s: (titles[s], s))
    column = {s: i for i, s in enumerate(chosen)}
    result = CaptureHistories(
        lists=[{"source_id": s, "title": titles[s]} for s in chosen],
        strata={"sex": [], "year": [], "governorate": []},
    )
    for person_id, members in _stream(session, case_id):
        on = {column[m.source_id] for m in members if m.source_id in column}
        if not on:
            result.not_on_lists += 1
            continue
        result.persons.append(person_id)
        result.patterns.append("".join("1" if i in on else "0" for i in range(len(chosen))))
        result.strata["sex"].append(str(_best(members, "sex") or UNKNOWN))
        result.strata["year"].append(_year(members))
        result.strata["governorate"].append(str(_best(members, "governorate") or UNKNOWN))
    return result


def export_captures_csv(session: Session, case_id: str, out: TextIO) -> int:
    """Write the capture histories: ``registry_id`` then one 0/1 column per list (its title)."""
    histories = capture_histories(session, case_id)
    writer = csv.writer(out)
    writer.writerow(["registry_id", *(entry["title"] for entry in histories.lists)])
    for person_id, pattern in zip(histories.persons, histories.patterns, strict=True):
        writer.writerow([person_id, *pattern])
    return len(histories.persons)
