"""The demo's registry: its three synthetic lists imported as list records, then linked.

The demo case documents synthetic victims through claims citing lists A, B and C. Here each list
is also written out the way such an organisation would send it — A in Arabic, B in Latin
transliteration, C in Arabic with spelling variants and gaps — imported through the real importer
and linked by a real run, so the demo has registry persons, pairs and a review queue. Everyone is
synthetic (family name المثال); a person's birth year is drawn from a hash of their ID, so every
list agrees on it and every build is the same. Built once: a case that has list records is left
as it is.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select

from dalil.db import Case, Claim, Database, Person, PersonName, stable_id

DEMO_ACTOR = "dalil-demo"
LISTS = ("synthetic_list", "synthetic_list_b", "synthetic_list_c")
HEADER = ("given", "father", "family", "mother", "sex", "birth_date", "status", "status_date")
LATIN = {
    "أحمد": "Ahmad", "محمد": "Mohammad", "علي": "Ali", "خالد": "Khaled", "عمر": "Omar",
    "يوسف": "Youssef", "حسن": "Hasan", "إبراهيم": "Ibrahim", "مصطفى": "Moustafa",
    "سامر": "Samer", "ياسر": "Yasser", "وليد": "Walid", "فادي": "Fadi", "نادر": "Nader",
    "باسل": "Basel", "رامي": "Rami", "محمود": "Mahmoud", "عبد الله": "Abdullah", "سعيد": "Said",
    "جميل": "Jamil", "كمال": "Kamal", "نبيل": "Nabil", "زياد": "Ziad", "عماد": "Imad",
    "هشام": "Hisham", "طارق": "Tarek", "المثال": "Al-Mithal", "فاطمة": "Fatima",
    "مريم": "Maryam", "خديجة": "Khadija", "زينب": "Zeinab", "عائشة": "Aisha", "هدى": "Huda",
    "سلمى": "Salma", "نور": "Nour", "حسين": "Hussein", "رنا": "Rana", "عبد الرحمن": "Abdulrahman",
}  # fmt: skip
# List C writes some names as many Syrian lists do: hamza dropped, compound names joined.
VARIANT = {"أحمد": "احمد", "إبراهيم": "ابراهيم", "عبد الله": "عبدالله", "المثال": "مثال"}


def _year(person_id: str) -> str:
    return str(1960 + int(hashlib.sha256(person_id.encode()).hexdigest()[:4], 16) % 40)


def _spell(name: str | None, style: int) -> str:
    if not name:
        return ""
    if style == 1:
        return LATIN.get(name, name)
    if style == 2:
        return VARIANT.get(name, name)
    return name


def _rows(db: Database, case_id: str, source_id: str, style: int) -> list[tuple[str, list[str]]]:
    """The list's rows, each with the ID of the documented person it was written from."""
    with db.reader() as s:
        people = s.scalars(
            select(Person)
            .join(Claim, Claim.subject_id == Person.id)
            .where(Claim.case_id == case_id, Claim.source_id == source_id)
            .distinct()
            .order_by(Person.id)
        ).all()
        names: dict[str, PersonName] = {}
        for name in s.scalars(
            select(PersonName)
            .where(PersonName.person_id.in_([p.id for p in people]))
            .order_by(PersonName.person_id, PersonName.position)
        ):
            known = names.get(name.person_id)
            if known is None or (name.script == "arab" and known.script != "arab"):
                names[name.person_id] = name
    rows = []
    for n, person in enumerate(people):
        chosen = names.get(person.id)
        if chosen is None:
            continue
        birth = str(person.birth_date) if person.birth_date else _year(person.id)
        if style == 2 and n % 4 == 0:
            birth = ""  # list C often has no birth date
        rows.append(
            (
                person.id,
                [
                    _spell(chosen.given, style),
                    _spell(chosen.father, style),
                    _spell(chosen.family, style),
                    _spell(chosen.mother, style) if style != 2 else "",
                    person.sex if person.sex in ("male", "female") else "",
                    birth,
                    person.status if person.status != "unknown" else "",
                    str(person.status_date) if person.status_date else "",
                ],
            )
        )
    return rows


def ensure_registry(db: Database, slug: str) -> str | None:
    """Import the demo's lists and link them, once; returns the link run's ID (None: was done)."""
    from dalil.db.models_registry import ListRecord
    from dalil.registry.importing import import_list
    from dalil.registry.linking import link_case
    from dalil.registry.mapping import ColumnMapping

    case_id = stable_id("case", slug)
    with db.reader() as s:
        if s.scalar(
            select(func.count()).select_from(ListRecord).where(ListRecord.case_id == case_id)
        ):
            return None
    mapping = ColumnMapping(columns={h: h for h in HEADER})
    written: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for style, key in enumerate(LISTS):
        written[key] = _rows(db, case_id, stable_id("source", slug, key), style)
    with (
        tempfile.TemporaryDirectory(prefix="dalil-demo-lists-") as folder,
        db.transaction(DEMO_ACTOR) as session,
    ):
        case = session.get(Case, case_id)
        assert case is not None
        for key in LISTS:
            path = Path(folder) / f"{key}.csv"
            with path.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(HEADER)
                writer.writerows(cells for _person, cells in written[key])
            source = stable_id("source", slug, key)
            import_list(session, case, path, source=source, mapping=mapping, policy="good-rows")
    run_id = link_case(db, case_id, actor=DEMO_ACTOR).run_id
    behind = {
        (stable_id("source", slug, key), n + 2): person  # row 1 is the header
        for key in LISTS
        for n, (person, _cells) in enumerate(written[key])
    }
    _attach(db, case_id, behind)
    return run_id


def _attach(db: Database, case_id: str, behind: dict[tuple[str, int], str]) -> None:
    """Name on each registry person the documented person its list rows were written from, when
    they all come from one (the person's page then shows the list records behind it); a person
    the linkage got wrong (rows of two people) is left unattached."""
    from dalil.db.models_registry import ListRecord, RegistryMember, RegistryPerson

    with db.transaction(DEMO_ACTOR) as session:
        found: dict[str, set[str | None]] = defaultdict(set)
        for registry_id, source, number in session.execute(
            select(RegistryMember.registry_person_id, ListRecord.source_id, ListRecord.row_number)
            .join(ListRecord, ListRecord.id == RegistryMember.record_id)
            .where(ListRecord.case_id == case_id)
        ):
            found[registry_id].add(behind.get((source, number)))
        for registry_id, people in found.items():
            person = session.get(RegistryPerson, registry_id)
            if person is not None and len(people) == 1 and None not in people:
                person.person_id = people.pop()


__all__ = ["ensure_registry"]
