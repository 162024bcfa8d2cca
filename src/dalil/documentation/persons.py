"""Persons and their names: parts in any script, several names per person, and name search.

A name is kept in parts (given, father's, grandfather's, family, mother's) as Syrian records give
them; search (:mod:`dalil.documentation.search`) works on an Arabic-normalised key so that احمد
finds أحمد and فاطمه finds فاطمة, and on a transliteration key so that Mohammad finds محمد.
Linking records of one person across lists is the registry's job, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dalil.db import Case, Person, PersonName, new_id
from dalil.documentation.entities import create
from dalil.documentation.fields import Term, Text
from dalil.errors import InvalidInput
from dalil.values import script_of, search_key

PARTS = ("given", "father", "grandfather", "family", "mother")


@dataclass(frozen=True)
class NameInput:
    """A name as given by a user or a list; ``full`` alone is fine when parts are unknown."""

    given: str | None = None
    father: str | None = None
    grandfather: str | None = None
    family: str | None = None
    mother: str | None = None
    full: str | None = None
    kind: str = "primary"

    def is_empty(self) -> bool:
        return not any((getattr(self, p) or "").strip() for p in (*PARTS, "full"))


def _make_name(name: NameInput, position: int, name_id: str | None = None) -> PersonName:
    parts = {p: Text(max_length=200).parse(f"name.{p}", getattr(name, p)) for p in PARTS}
    full = Text(max_length=1000).parse("name.full", name.full)
    if full is None:
        full = " ".join(v for p in ("given", "father", "grandfather", "family") if (v := parts[p]))
    if not full:
        raise InvalidInput("name", "a name needs a full name or at least one part")
    kind = Term("name_kinds").parse("name.kind", name.kind) or "primary"
    # The key covers the person's own names, not the mother's: a search for فاطمة must not
    # list every son of a Fatima.
    text = " ".join([full, *(v for p, v in parts.items() if v and p != "mother")])
    script = script_of(text)
    return PersonName(
        id=name_id or new_id("person_name"),
        position=position,
        kind=kind,
        script=script if script != "none" else "zyyy",
        full=full,
        search_key=search_key(text),
        **parts,
    )


def add_person(
    session: Session,
    case: Case,
    names: list[NameInput],
    fields: dict[str, Any] | None = None,
    *,
    person_id: str | None = None,
) -> Person:
    """A new person with at least one name; the first name is the primary one."""
    names = [n for n in names if not n.is_empty()]
    if not names:
        raise InvalidInput("name", "a person needs at least one name (parts or full name)")
    built = [_make_name(n, i) for i, n in enumerate(names)]
    person = create(session, case, "person", fields or {}, entity_id=person_id)
    assert isinstance(person, Person)
    person.names.extend(built)
    session.flush()
    return person


def add_name(session: Session, person: Person, name: NameInput) -> PersonName:
    built = _make_name(name, len(person.names))
    person.names.append(built)
    session.flush()
    return built


def display_name(person: Person, lang: str = "en") -> str:
    """The name to show: primary name in the reader's script if there is one, else the first."""
    if not person.names:
        return person.id
    wanted = "arab" if lang == "ar" else "latn"
    for name in person.names:
        if name.script == wanted:
            return name.full
    return person.names[0].full
