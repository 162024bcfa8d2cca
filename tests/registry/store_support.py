"""Helpers for the registry storage tests: a case, a list file, an import, registry persons.

Registry persons are normally made by a link run; until one has run, tests write them directly
(:func:`add_persons`), as the linkage engine would.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dalil.db import Database, new_id
from dalil.db.models_registry import (
    LinkRun,
    ListRecord,
    RegistryMember,
    RegistryPerson,
    RegistryRedirect,
)
from dalil.documentation import create_case
from dalil.registry.importing import ImportResult, import_list
from dalil.registry.mapping import ColumnMapping

ACTOR = "tester"
HEADER = ["الاسم الكامل", "اسم الأم", "الجنس", "تاريخ الميلاد", "الوضع", "تاريخ الوفاة", "المحافظة"]
MAPPING = ColumnMapping(
    columns={
        "الاسم الكامل": "full_name",
        "اسم الأم": "mother",
        "الجنس": "sex",
        "تاريخ الميلاد": "birth_date",
        "الوضع": "status",
        "تاريخ الوفاة": "death_date",
        "المحافظة": "governorate",
    }
)
# Synthetic people only.
ROWS = [
    ["محمد بن أحمد الخطيب", "فاطمة", "ذكر", "16/04/1980", "مقتول", "2013-04-16", "دمشق"],
    ["عبد الله محمود السيد", "", "ذكر", "1975", "مفقود", "", "حمص"],
    ["  سارة  خالد   العلي ", "مريم", "أنثى", "", "", "", "حلب"],
]


def make_case(db: Database, slug: str = "registry") -> str:
    with db.transaction(ACTOR) as session:
        return create_case(session, slug, title_en="Registry test").id


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def do_import(
    db: Database,
    case_id: str,
    path: Path,
    *,
    source: str = "SNHR list",
    mapping: ColumnMapping = MAPPING,
    **options: Any,
) -> ImportResult:
    from dalil.db import Case

    with db.transaction(ACTOR) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return import_list(session, case, path, source=source, mapping=mapping, **options)


def record_ids(db: Database, import_id: str) -> list[str]:
    with db.reader() as session:
        return list(
            session.scalars(
                select(ListRecord.id)
                .where(ListRecord.import_id == import_id)
                .order_by(ListRecord.row_number)
            )
        )


def add_persons(
    db: Database, case_id: str, clusters: Sequence[Sequence[str]], *, run_id: str | None = None
) -> list[str]:
    """Registry persons with the given member records, as a link run would write them."""
    run_id = run_id or new_id("link_run")
    ids = []
    with db.transaction(ACTOR) as session:
        if session.get(LinkRun, run_id) is None:
            session.add(
                LinkRun(id=run_id, case_id=case_id, engine="test", status="done", actor=ACTOR)
            )
            session.flush()
        for members in clusters:
            person_id = new_id("registry_person")
            digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
            session.add(
                RegistryPerson(
                    id=person_id, case_id=case_id, created_run_id=run_id, members_digest=digest
                )
            )
            session.flush()
            for record in members:
                session.add(
                    RegistryMember(record_id=record, registry_person_id=person_id, run_id=run_id)
                )
            ids.append(person_id)
        session.flush()
    return ids


def retire(db: Database, old_id: str, new_ids: Sequence[str], reason: str) -> None:
    """Mark ``old_id`` retired and redirect it to ``new_ids`` (a merge or a split)."""
    with db.transaction(ACTOR) as session:
        old = session.get(RegistryPerson, old_id)
        assert old is not None
        old.status = "retired"
        old.retired_run_id = old.created_run_id
        for new in new_ids:
            session.add(
                RegistryRedirect(
                    old_id=old_id, new_id=new, run_id=old.created_run_id, reason=reason
                )
            )
