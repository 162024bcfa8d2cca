"""A small synthetic case for the linking tests: two lists of the same (invented) people, one in
Arabic script and one in Latin transliteration, imported through the real list importer.

Synthetic people only: names are drawn from common-name pools with a fixed seed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from dalil.db import Case, Database
from dalil.documentation import create_case
from dalil.registry.importing import import_list
from dalil.registry.mapping import ColumnMapping

ACTOR = "tester"
GIVEN = [
    ("محمد", "Mohammad"), ("أحمد", "Ahmad"), ("خالد", "Khaled"), ("عمر", "Omar"),
    ("علي", "Ali"), ("حسن", "Hasan"), ("يوسف", "Youssef"), ("إبراهيم", "Ibrahim"),
    ("محمود", "Mahmoud"), ("سامر", "Samer"), ("فادي", "Fadi"), ("بسام", "Bassam"),
    ("ماهر", "Maher"), ("وليد", "Walid"), ("زياد", "Ziad"), ("رامي", "Rami"),
]  # fmt: skip
FAMILY = [
    ("الخطيب", "Al-Khatib"), ("الحلبي", "Al-Halabi"), ("المصري", "Al-Masri"),
    ("الشامي", "Al-Shami"), ("العلي", "Al-Ali"), ("السيد", "Al-Sayed"), ("حداد", "Haddad"),
    ("النجار", "Al-Najjar"), ("القاسم", "Al-Qasem"), ("درويش", "Darwish"), ("عيسى", "Issa"),
    ("الأحمد", "Al-Ahmad"), ("الحسين", "Al-Hussein"), ("الزعبي", "Al-Zoubi"),
]  # fmt: skip
MOTHER = [("فاطمة", "Fatima"), ("مريم", "Maryam"), ("خديجة", "Khadija"), ("سعاد", "Souad"),
          ("هدى", "Huda"), ("ليلى", "Layla"), ("رنا", "Rana"), ("نور", "Nour")]  # fmt: skip
PLACES = [("دمشق", "Damascus"), ("حمص", "Homs"), ("حلب", "Aleppo"), ("درعا", "Daraa")]
HEADER = ["given", "father", "family", "mother", "sex", "birth_date", "death_date", "governorate"]
MAPPING = ColumnMapping(columns={h: h for h in HEADER})


@dataclass(frozen=True)
class Person:
    given: int
    father: int
    family: int
    mother: int
    born: int
    died: str
    place: int


def people(n: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        out.append(
            Person(
                rng.randrange(len(GIVEN)), rng.randrange(len(GIVEN)), rng.randrange(len(FAMILY)),
                rng.randrange(len(MOTHER)), rng.randrange(1950, 2000),
                f"2013-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                rng.randrange(len(PLACES)),
            )
        )  # fmt: skip
    return out


def row(p: Person, script: int) -> list[str]:
    return [
        GIVEN[p.given][script], GIVEN[p.father][script], FAMILY[p.family][script],
        MOTHER[p.mother][script], "male", str(p.born), p.died, PLACES[p.place][script],
    ]  # fmt: skip


def write_list(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def make_case(db: Database, slug: str = "tadamon") -> str:
    with db.transaction(ACTOR) as session:
        return create_case(session, slug, title_en="Linking test", title_ar="اختبار").id


def import_rows(db: Database, case_id: str, path: Path, source: str) -> str:
    with db.transaction(ACTOR) as session:
        case = session.get(Case, case_id)
        assert case is not None
        made = import_list(session, case, path, source=source, mapping=MAPPING).import_id
        assert made is not None
        return made


def two_lists(db: Database, tmp: Path, n: int = 60, overlap: int = 40) -> tuple[str, list[Person]]:
    """A case with list A (Arabic, people 0..n-1) and list B (Latin, people 0..overlap-1 plus
    a few of its own): ``overlap`` people are on both lists."""
    everyone = people(n + 10)
    case_id = make_case(db)
    a = write_list(tmp / "a.csv", [row(p, 0) for p in everyone[:n]])
    b = write_list(tmp / "b.csv", [row(p, 1) for p in everyone[:overlap] + everyone[n:]])
    import_rows(db, case_id, a, "List A")
    import_rows(db, case_id, b, "List B")
    return case_id, everyone


def seed_run(
    db: Database,
    case_id: str,
    pairs: list[tuple[str, str, float, str]],
    clusters: list[list[str]] | None = None,
) -> str:
    """A finished full link run written as the engine's output would be: ``pairs`` as
    (record_a, record_b, match_probability, status) and ``clusters`` as registry persons (by
    default every record of the case on its own). For tests of what is built on a run (the
    review queue, the API) that must not depend on how sure the model happens to be."""
    import math

    from sqlalchemy import select

    from dalil.db import new_id
    from dalil.db.models_registry import (
        LinkPair,
        LinkRun,
        ListRecord,
        RegistryMember,
        RegistryPerson,
    )
    from dalil.registry.stable_ids import members_digest

    run_id = new_id("link_run")
    with db.transaction(ACTOR) as s:
        records = list(s.scalars(select(ListRecord.id).where(ListRecord.case_id == case_id)))
        if clusters is None:
            clusters = [[r] for r in records]
        s.add(LinkRun(id=run_id, case_id=case_id, engine="duckdb", status="done",
                      incremental=False, actor=ACTOR, model={"format": "test"}))  # fmt: skip
        s.flush()
        for a, b, p, status in pairs:
            a, b = sorted((a, b))
            weight = math.log2(p / (1 - p))
            s.add(LinkPair(run_id=run_id, case_id=case_id, record_a=a, record_b=b,
                           match_weight=weight, match_probability=p, status=status,
                           explanation={"given": {"level": "exact", "weight": 3.2}}))  # fmt: skip
        for members in clusters:
            pid = new_id("registry_person")
            s.add(RegistryPerson(id=pid, case_id=case_id, created_run_id=run_id,
                                 members_digest=members_digest(members)))  # fmt: skip
            s.flush()
            for record in members:
                s.add(RegistryMember(record_id=record, registry_person_id=pid, run_id=run_id))
        s.flush()
    return run_id
