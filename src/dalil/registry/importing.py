"""Import an organisation's list into a case: every row kept verbatim as a list record.

One import is one transaction: rows are streamed from the file (``reading``), cleaned into the
derived columns (``mapping``; a full name gives the name parts the row lacks, by
``names.complete_parts``) and written in Core bulk batches, so a 2 GB list needs no more memory
than a small one.

Bad input. A row is *rejected* when it has no name, a date or age that cannot be read (an
impossible date such as 31/02/2013), more non-empty cells than the header has columns, spans so
many lines that a quote was probably left open, or opens a quote never closed before the end of
the file. Other problems (an ambiguous day/month, a sex or status word not in the vocabulary, a
short row) are *warnings*: the row is imported and the problem kept in ``list_records.problems``.
Policies: ``all-or-nothing`` (the default) imports the list only if no row is rejected;
``good-rows`` imports the good rows and records each rejected row (number, field, why) in
``list_imports.rejected``. A file that cannot be read to its end (a wrong encoding half-way, a
damaged workbook) imports nothing under either policy.

This module must never alter a raw cell, import half a list under ``all-or-nothing``, or import
the same file into the same case twice.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from dalil.db import Case, Source, new_id
from dalil.db.models_registry import ListImport, ListRecord
from dalil.documentation import get_entity
from dalil.documentation.cases import actor_of
from dalil.documentation.entities import create
from dalil.errors import Conflict, DalilError, InvalidInput
from dalil.registry.mapping import ColumnMapping, FieldProblem, apply_mapping, check_columns
from dalil.registry.names import complete_parts
from dalil.registry.reading import ListFile, ListRow, read_list

__all__ = [
    "BATCH",
    "DERIVED",
    "POLICIES",
    "ImportRejected",
    "ImportResult",
    "Rejection",
    "check_names",
    "derive",
    "file_sha256",
    "import_list",
    "resolve_source",
]

Policy = Literal["all-or-nothing", "good-rows"]
POLICIES: tuple[Policy, ...] = ("all-or-nothing", "good-rows")
BATCH = 2000
SAMPLE = 200  # rejections kept in memory for printing; the report file has them all
REJECTING = frozenset({"no_name", "invalid_date", "invalid_age"})
PARTS = ("given", "father", "grandfather", "family")
TEXT_FIELDS = ("full_name", *PARTS, "mother", "place", "governorate", "external_id", "notes")
REPORT_HEADER = ("row", "field", "column", "code", "message")
# The columns :func:`derive` fills: what a remap writes again.
DERIVED = (*TEXT_FIELDS, "sex", "status", "birth_date", "status_date", "death_date", "age",
           "problems")  # fmt: skip


@dataclass(frozen=True)
class Rejection:
    """Why one row was not imported (or, under all-or-nothing, why the list was not)."""

    row: int
    field: str
    column: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class ImportResult:
    import_id: str | None
    source_id: str
    file_name: str
    rows: int = 0  # data rows read (blank rows are not rows)
    imported: int = 0
    rejected_rows: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # the first SAMPLE
    warnings: int = 0  # rows imported with a warning
    notices: list[str] = field(default_factory=list)
    policy: Policy = "all-or-nothing"

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "source_id": self.source_id,
            "file_name": self.file_name,
            "policy": self.policy,
            "rows": self.rows,
            "imported": self.imported,
            "rejected_rows": self.rejected_rows,
            "rows_with_warnings": self.warnings,
            "rejections": [r.as_dict() for r in self.rejections],
            "notices": self.notices,
        }


class ImportRejected(DalilError):
    """All-or-nothing: some rows were rejected, so nothing was imported."""

    exit_code = 4

    def __init__(self, result: ImportResult) -> None:
        super().__init__(
            f"{result.rejected_rows} of {result.rows} rows were rejected, so nothing was "
            "imported (policy all-or-nothing)",
            hint="fix those rows or the mapping and import again, or import the good rows "
            "with --policy good-rows (the rejected ones are recorded)",
        )
        self.result = result


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_source(session: Session, case: Case, ref: str) -> Source:
    """An existing Source of the case (by ID), or a new Source of type ``list`` named ``ref``."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("source", "give a Source ID or a name for the list")
    if ref.startswith("src_"):
        return get_entity(session, ref, Source, case=case)
    existing = session.scalar(
        select(Source).where(
            Source.case_id == case.id,
            Source.title == ref,
            Source.source_type == "list",
            Source.deleted_at.is_(None),
        )
    )
    if existing is not None:
        return existing
    source = create(session, case, "source", {"source_type": "list", "title": ref})
    assert isinstance(source, Source)
    return source


def _raw(row: ListRow) -> dict[str, str]:
    """The row as written: header → cell, in order; cells beyond the header get column_N."""
    raw = dict(zip(row.headers, row.cells, strict=False))
    for index in range(len(row.headers), len(row.cells)):
        key = f"column_{index + 1}"
        while key in raw:
            key += "_"
        raw[key] = row.cells[index]
    return raw


def _shape_rejection(row: ListRow, width: int) -> Rejection | None:
    if len(row.cells) > width and any(row.cells[width:]):
        return Rejection(
            row.number,
            "",
            None,
            "ragged_row",
            f"has {len(row.cells)} cells but the header has {width} columns: the row is "
            "probably shifted (an unquoted separator in a cell?)",
        )
    for problem in row.problems:
        if problem.startswith("spans"):
            return Rejection(row.number, "", None, "unclosed_quote", f"the row {problem}")
    return None


def _problem(p: FieldProblem, level: str) -> dict[str, Any]:
    return {
        "field": p.field,
        "column": p.column,
        "code": p.code,
        "message": p.message,
        "level": level,
    }


def _record(
    row: ListRow, mapping: ColumnMapping, base: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[Rejection], bool]:
    """(the list_records row, or None if rejected; rejections; has warnings)."""
    values, rejections, warned = derive(row, mapping)
    if values is None:
        return None, rejections, False
    record = {**base, "id": new_id("list_record"), "row_number": row.number, "raw": _raw(row)}
    return {**record, **values}, [], warned


def derive(
    row: ListRow, mapping: ColumnMapping
) -> tuple[dict[str, Any] | None, list[Rejection], bool]:
    """A row's derived columns (cleaned values and ``problems``), or None with the reasons it
    is rejected; and whether it has a warning."""
    shape = _shape_rejection(row, len(row.headers))
    mapped = apply_mapping(row, mapping)
    rejections = [shape] if shape else []
    problems: list[dict[str, Any]] = [
        {"field": "", "column": None, "code": "row_shape", "message": p, "level": "warning"}
        for p in row.problems
    ]
    for p in mapped.problems:
        if p.code in REJECTING:
            rejections.append(Rejection(row.number, p.field, p.column, p.code, p.message))
        else:
            problems.append(_problem(p, "warning"))
    values = mapped.values
    if not any(c.code == "no_name" for c in rejections) and not any(
        values.get(name) for name in ("full_name", *PARTS)
    ):  # a mother's name alone does not say who the person is
        rejections.append(
            Rejection(row.number, "full_name", None, "no_name", "the row has no name of the person")
        )
    if rejections:
        return None, rejections, False
    record: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = values.get(name)
        record[name] = str(value) if value is not None else None
    for name in ("sex", "status"):
        record[name] = values.get(name)
    for name in ("birth_date", "status_date", "death_date"):
        record[name] = values.get(name)
    age = values.get("age")
    record["age"] = float(age) if isinstance(age, int | float) else None
    full = record["full_name"]
    if full and not all(record[p] for p in PARTS):
        # The parts the row lacks, from its full name (beside the parts it gives, if any).
        parts = complete_parts(full, {name: record[name] for name in PARTS})
        filled = [name for name in PARTS if getattr(parts, name) and not record[name]]
        for name in filled:
            record[name] = getattr(parts, name)
        if filled and (parts.confidence < 0.8 or parts.notes):
            problems.append(
                {
                    "field": "full_name",
                    "column": None,
                    "code": "name_split",
                    "message": "the full name was split into parts with confidence "
                    f"{parts.confidence:.1f}"
                    + (f": {'; '.join(parts.notes)}" if parts.notes else ""),
                    "level": "info",
                }
            )
    record["problems"] = problems
    return record, [], any(p["level"] == "warning" for p in problems)


class _Report:
    """Rejections: the first few in memory, all of them streamed to the report file if any."""

    def __init__(self, out: TextIO | None) -> None:
        self.sample: list[Rejection] = []
        self.all_for_db: list[dict[str, Any]] = []
        self.writer = csv.writer(out) if out is not None else None
        if self.writer is not None:
            self.writer.writerow(REPORT_HEADER)

    def add(self, rejection: Rejection, keep_for_db: bool) -> None:
        if len(self.sample) < SAMPLE:
            self.sample.append(rejection)
        if keep_for_db:
            self.all_for_db.append(rejection.as_dict())
        if self.writer is not None:
            self.writer.writerow(
                [
                    rejection.row,
                    rejection.field,
                    rejection.column or "",
                    rejection.code,
                    rejection.message,
                ]
            )


def import_list(
    session: Session,
    case: Case,
    path: Path | str,
    *,
    source: str,
    mapping: ColumnMapping,
    sheet: str | None = None,
    encoding: str | None = None,
    policy: Policy = "all-or-nothing",
    report: TextIO | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import the list at ``path`` into ``case`` inside the caller's transaction.

    Everything (the new Source too) is written in a savepoint: on :class:`ImportRejected`
    (all-or-nothing with rejected rows), :class:`InvalidInput` (an unreadable file) or any other
    error, nothing of the import remains, even if the caller goes on to commit.
    """
    if policy not in POLICIES:
        raise InvalidInput("policy", f"{policy!r}: choose {' or '.join(POLICIES)}")
    with session.begin_nested():
        return _import(
            session, case, Path(path), source, mapping, sheet, encoding, policy, report, progress
        )


def _import(
    session: Session,
    case: Case,
    path: Path,
    source: str,
    mapping: ColumnMapping,
    sheet: str | None,
    encoding: str | None,
    policy: Policy,
    report: TextIO | None,
    progress: Callable[[int], None] | None,
) -> ImportResult:
    if policy not in POLICIES:
        raise InvalidInput("policy", f"{policy!r}: choose {' or '.join(POLICIES)}")
    check_names(mapping)
    listed = read_list(path, sheet=sheet, encoding=encoding)
    check_columns(mapping, listed.headers)
    digest = file_sha256(path)
    chosen = resolve_source(session, case, source)
    earlier = session.scalar(
        select(ListImport).where(ListImport.case_id == case.id, ListImport.file_sha256 == digest)
    )
    if earlier is not None:
        same = "this list" if earlier.source_id == chosen.id else f"the list {earlier.source_id}"
        raise Conflict(
            f"this file was already imported into the case as {same} "
            f"(import {earlier.id}, {earlier.created_at:%Y-%m-%d}); a list is imported once",
            hint="a new edition of a list is a different file; to look at this one: "
            f"dalil lists show {earlier.id}",
        )
    actor = actor_of(session)
    import_id = new_id("list_import")
    result = _new_result(import_id, chosen.id, path, policy, listed)
    session.add(
        ListImport(
            id=import_id,
            case_id=case.id,
            source_id=chosen.id,
            file_name=path.name,
            file_sha256=digest,
            file_bytes=path.stat().st_size,
            encoding=listed.encoding,
            sheet=listed.sheet,
            mapping=mapping.model_dump(),
            row_count=0,
            imported_count=0,
            rejected_count=0,
            rejected=[],
            actor=actor,
        )
    )
    session.flush()
    table = cast(Table, ListRecord.__table__)
    connection = session.connection()
    base = {"case_id": case.id, "import_id": import_id, "source_id": chosen.id, "place_id": None}
    sink = _Report(report)
    batch: list[dict[str, Any]] = []
    for row in listed.rows():
        result.rows += 1
        record, rejections, warned = _record(row, mapping, base)
        if record is None:
            result.rejected_rows += 1
            for rejection in rejections:
                sink.add(rejection, keep_for_db=policy == "good-rows")
        elif policy == "good-rows" or not result.rejected_rows:
            # Under all-or-nothing, once a row is rejected nothing more is written: the rest of
            # the file is only checked, so the report lists every bad row.
            result.warnings += warned
            batch.append(record)
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                result.imported += len(batch)
                batch = []
        if progress is not None and result.rows % 1000 == 0:
            progress(result.rows)
    if progress is not None:
        progress(result.rows)
    result.rejections = sink.sample
    if policy == "all-or-nothing" and result.rejected_rows:
        result.import_id = None
        result.imported = 0
        raise ImportRejected(result)
    if batch:
        connection.execute(table.insert(), batch)
        result.imported += len(batch)
    if result.rows == 0:
        raise InvalidInput(str(path), "has a header but no data rows: nothing to import")
    imported = session.get(ListImport, import_id)
    assert imported is not None
    imported.row_count = result.rows
    imported.imported_count = result.imported
    imported.rejected_count = result.rejected_rows
    imported.rejected = sink.all_for_db
    session.flush()
    return result


def check_names(mapping: ColumnMapping) -> None:
    """Refuse a mapping that names no column of the person's name: every row would be rejected."""
    if not {"full_name", *PARTS} & set(mapping.columns.values()):
        raise InvalidInput(
            "mapping",
            "maps no column to a name (full_name, given, father, grandfather or family): every "
            "row would be rejected",
        )


def _new_result(
    import_id: str, source_id: str, path: Path, policy: Policy, listed: ListFile
) -> ImportResult:
    notices = list(listed.notices)
    if listed.encoding_reason:
        notices.insert(0, f"encoding: {listed.encoding} ({listed.encoding_reason})")
    return ImportResult(import_id, source_id, path.name, policy=policy, notices=notices)
