"""Derive an import's records again with a new mapping: the mend for a list imported wrongly.

A list imported with the father's and mother's columns swapped, or its dates read month-first,
cannot be imported again (a file is imported once per case: counting one list twice would
distort estimation). ``remap_import`` derives every record's cleaned values again from its row
as written (``list_records.raw``, never changed) with the corrected mapping, in one transaction:
if the new mapping would reject any row, nothing changes and the rows are named. The import keeps
each remap (who, when, why, and the mapping it replaced) in ``list_imports.remaps``, and the
next ``dalil link run`` links the case again from scratch, since its records' values changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, select
from sqlalchemy.orm import Session

from dalil.db import Case
from dalil.db.models_registry import ListImport, ListRecord
from dalil.db.types import utcnow
from dalil.documentation.cases import actor_of
from dalil.errors import InvalidInput, NotFound
from dalil.registry.importing import BATCH, DERIVED, Rejection, check_names, derive
from dalil.registry.mapping import ColumnMapping, check_columns
from dalil.registry.reading import ListRow

__all__ = ["RemapRejected", "RemapResult", "import_columns", "remap_import", "remapped_since"]

_SAMPLE = 20  # rejections kept to show


@dataclass
class RemapResult:
    import_id: str
    records: int = 0
    changed: int = 0  # records whose derived values differ from before
    warnings: int = 0  # records with a warning under the new mapping
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "records": self.records,
            "changed": self.changed,
            "records_with_warnings": self.warnings,
            "rejections": [r.as_dict() for r in self.rejections],
        }


class RemapRejected(InvalidInput):
    """The new mapping would reject some of the import's rows: nothing was changed."""

    def __init__(self, result: RemapResult, rejected: int) -> None:
        super().__init__(
            "mapping",
            f"would reject {rejected} of the import's {result.records} rows, so nothing was "
            "changed",
            hint="each row kept must still be read: fix the mapping (dates' order, terms) and "
            "remap again",
        )
        self.result = result
        self.rejected = rejected


def remap_import(
    session: Session, case: Case, import_id: str, mapping: ColumnMapping, reason: str
) -> RemapResult:
    """Derive the records of ``import_id`` again from their rows as written with ``mapping``.

    Raises :class:`RemapRejected` (nothing changed) when a row would be rejected, as the import
    rejects a row (no name, a date or age that cannot be read)."""
    imported = session.get(ListImport, import_id)
    if imported is None or imported.case_id != case.id:
        raise NotFound(f"no list import {import_id!r} in case {case.slug!r}")
    if not reason.strip():
        raise InvalidInput("reason", "say why the mapping changes: it is kept with the import")
    check_names(mapping)
    with session.begin_nested():  # a rejected row undoes the batches already written
        result = _derive_again(session, imported, mapping)
    imported.remaps = [
        *imported.remaps,
        {
            "at": utcnow().isoformat(),
            "actor": actor_of(session),
            "reason": reason.strip(),
            "replaced": imported.mapping,
            "records": result.records,
            "changed": result.changed,
        },
    ]
    imported.mapping = mapping.model_dump()
    session.flush()
    return result


def _derive_again(session: Session, imported: ListImport, mapping: ColumnMapping) -> RemapResult:
    """Read the import's records in batches (a list of millions of rows needs no more memory than
    a small one), derive each again and write the ones that changed; raise at the end if a row
    was rejected (the caller's savepoint undoes what was written)."""
    table = cast(Table, ListRecord.__table__)
    of_import = table.c.import_id == imported.id
    headers = import_columns(session, imported)
    check_columns(mapping, headers)
    result = RemapResult(imported.id)
    rejected = 0
    derived = [table.c[name] for name in DERIVED]
    query = select(table.c.id, table.c.row_number, table.c.raw, *derived).where(of_import)
    writes: list[dict[str, Any]] = []
    update = (
        table.update()
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in DERIVED})
    )
    connection = session.connection()
    for record in _batches(session, query, table):
        result.records += 1
        now: dict[str, Any] = dict(zip(DERIVED, record[3:], strict=True))
        shape = tuple(p["message"] for p in now["problems"] or [] if p.get("code") == "row_shape")
        cells = tuple(str(record.raw.get(h, "")) for h in headers)
        row = ListRow(record.row_number, cells, headers, shape)
        values, rejections, warned = derive(row, mapping)
        if values is None:
            rejected += 1
            result.rejections.extend(rejections[: max(0, _SAMPLE - len(result.rejections))])
            continue
        result.warnings += warned
        if rejected or all(now[k] == values[k] for k in DERIVED):
            continue  # once a row is rejected nothing more is written: the rest is only checked
        result.changed += 1
        writes.append({"_id": record.id, **values})
        if len(writes) >= BATCH:
            connection.execute(update, writes)
            writes = []
    if rejected:
        raise RemapRejected(result, rejected)
    if writes:
        connection.execute(update, writes)
    return result


def import_columns(
    session: Session, imported: ListImport, *, first: int | None = None
) -> tuple[str, ...]:
    """The columns of the file an import read: those the mappings used so far named (checked
    against the file's header when it was imported), then every row's (a short row keeps only
    the cells written), in the order first seen; ``first``: only the first rows' (a page's
    quick look: a column only later rows have, cells beyond the header, is then left out)."""
    table = cast(Table, ListRecord.__table__)
    used = [imported.mapping, *(r["replaced"] for r in imported.remaps)]
    columns = dict.fromkeys(column for m in used for column in m.get("columns", {}))
    rows = select(table.c.row_number, table.c.raw).where(table.c.import_id == imported.id)
    if first is not None:
        head = session.execute(rows.order_by(table.c.row_number).limit(first))
        return tuple(columns | dict.fromkeys(k for _, raw in head for k in raw))
    for found in _batches(session, rows, table):
        columns.update(dict.fromkeys(found.raw))
    return tuple(columns)


def _batches(session: Session, query: Select[Any], table: Table) -> Iterator[Row[Any]]:
    """The rows of ``query`` over ``table`` in row order, ``BATCH`` at a time (keyset paging)."""
    last = -1
    while True:
        rows = session.execute(
            query.where(table.c.row_number > last).order_by(table.c.row_number).limit(BATCH)
        ).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1].row_number


def remapped_since(session: Session, case_id: str, since: datetime | None) -> list[str]:
    """The case's imports remapped after ``since`` (every remapped import when None)."""
    found = []
    for import_id, remaps in session.execute(
        select(ListImport.id, ListImport.remaps).where(ListImport.case_id == case_id)
    ):
        # Both are UTC with their zone: "at" from utcnow(), ``since`` read through UTCDateTime.
        times = [datetime.fromisoformat(str(r["at"])) for r in remaps or [] if r.get("at")]
        if times and (since is None or max(times) > since):
            found.append(import_id)
    return found
