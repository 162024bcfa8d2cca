"""Read imported lists and their records: what the CLI, API and web show of a list.

Views return plain dictionaries (JSON-ready). They read only; nothing here may change a record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from dalil.db import Case, Source
from dalil.db.models_registry import ListImport, ListRecord
from dalil.errors import NotFound

__all__ = ["RECORD_FIELDS", "get_import", "import_view", "imports_of", "record_view", "records_of"]

RECORD_FIELDS = (
    *("full_name", "given", "father", "grandfather", "family", "mother", "sex", "birth_date"),
    *("age", "status", "status_date", "death_date", "place", "governorate", "external_id"),
    *("notes", "place_id"),
)


def get_import(session: Session, import_id: str) -> ListImport:
    found = session.get(ListImport, import_id.strip())
    if found is None:
        raise NotFound(
            f"no list import {import_id!r}", hint="`dalil lists list --case C` shows the imports"
        )
    return found


def import_view(session: Session, imported: ListImport, *, rejected: bool = True) -> dict[str, Any]:
    source = session.get(Source, imported.source_id)
    view: dict[str, Any] = {
        "id": imported.id,
        "case_id": imported.case_id,
        "source": {"id": imported.source_id, "title": source.title if source else None},
        "file_name": imported.file_name,
        "file_sha256": imported.file_sha256,
        "file_bytes": imported.file_bytes,
        "encoding": imported.encoding,
        "sheet": imported.sheet,
        "rows": imported.row_count,
        "imported": imported.imported_count,
        "rejected": imported.rejected_count,
        "created_at": imported.created_at.isoformat(),
        "actor": imported.actor,
    }
    if rejected:
        view["mapping"] = imported.mapping
        view["remaps"] = imported.remaps
        view["rejected_rows"] = imported.rejected
        warned = session.scalar(
            select(func.count())
            .select_from(ListRecord)
            .where(ListRecord.import_id == imported.id, cast(ListRecord.problems, Text) != "[]")
        )
        view["records_with_problems"] = warned or 0
    return view


def imports_of(session: Session, case: Case) -> list[dict[str, Any]]:
    found = session.scalars(
        select(ListImport)
        .where(ListImport.case_id == case.id)
        .order_by(ListImport.created_at, ListImport.id)
    )
    return [import_view(session, i, rejected=False) for i in found]


def record_view(record: ListRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in RECORD_FIELDS}
    return {
        "id": record.id,
        "import_id": record.import_id,
        "source_id": record.source_id,
        "row_number": record.row_number,
        "raw": record.raw,
        "derived": {
            k: (str(v) if v is not None and k.endswith("date") else v) for k, v in values.items()
        },
        "problems": record.problems,
    }


def records_of(
    session: Session, imported: ListImport, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    found = session.scalars(
        select(ListRecord)
        .where(ListRecord.import_id == imported.id)
        .order_by(ListRecord.row_number)
        .limit(limit)
        .offset(offset)
    )
    return [record_view(r) for r in found]
