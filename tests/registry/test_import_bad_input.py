"""Bad rows are reported by row, field and reason; the list imports whole, or its good rows, or
nothing, as the policy says; a file that cannot be read imports nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dalil.db import Database, Source
from dalil.db.models_registry import ListImport, ListRecord
from dalil.errors import InvalidInput
from dalil.registry.importing import ImportRejected
from dalil.registry.mapping import ColumnMapping
from registry.store_support import HEADER, ROWS, do_import, make_case, write_csv

BAD = [
    ROWS[0],
    ["", "مريم", "أنثى", "1990", "", "", "حلب"],  # row 3: no name
    ["خالد العمر", "", "ذكر", "31/02/1985", "", "", "إدلب"],  # row 4: impossible date
    ["ياسر الحسن", "", "ذكر", "", "", "", "حماة", "extra", "cells"],  # row 5: ragged
    ["رامي الأحمد", "", "ذكر", "", "", "", "درعا"],
    ["هدى الصالح", "", "أنثى", "03/04/1990", "", "", "حمص"],  # ambiguous: a warning
]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(ListImport)) or 0,
            session.scalar(select(func.count()).select_from(ListRecord)) or 0,
            session.scalar(select(func.count()).select_from(Source)) or 0,
        )


def test_all_or_nothing_imports_nothing_and_reports_every_bad_row(
    db: Database, tmp_path: Path
) -> None:
    case_id = make_case(db)
    report = io.StringIO()
    with pytest.raises(ImportRejected) as raised:
        do_import(db, case_id, write_csv(tmp_path / "bad.csv", BAD), report=report)
    result = raised.value.result
    assert (result.rows, result.rejected_rows, result.import_id) == (6, 3, None)
    assert [(r.row, r.field, r.code) for r in result.rejections] == [
        (3, "full_name", "no_name"),
        (4, "birth_date", "invalid_date"),
        (5, "", "ragged_row"),
    ]
    assert "day must be 1-28" in result.rejections[1].message
    lines = report.getvalue().splitlines()
    assert lines[0] == "row,field,column,code,message"
    assert [line.split(",")[0] for line in lines[1:]] == ["3", "4", "5"]
    assert _counts(db) == (0, 0, 0)  # not even the new Source


def test_good_rows_imports_the_good_rows_and_records_the_rejected(
    db: Database, tmp_path: Path
) -> None:
    case_id = make_case(db)
    result = do_import(db, case_id, write_csv(tmp_path / "bad.csv", BAD), policy="good-rows")
    assert (result.rows, result.imported, result.rejected_rows, result.warnings) == (6, 3, 3, 1)
    with db.reader() as session:
        imported = session.get(ListImport, result.import_id)
        rows = session.execute(
            select(ListRecord.row_number, ListRecord.problems).order_by(ListRecord.row_number)
        ).all()
    assert imported is not None
    assert (imported.row_count, imported.imported_count, imported.rejected_count) == (6, 3, 3)
    assert [(r["row"], r["code"]) for r in imported.rejected] == [
        (3, "no_name"),
        (4, "invalid_date"),
        (5, "ragged_row"),
    ]
    assert [number for number, _ in rows] == [2, 6, 7]
    (warning,) = [p for p in rows[2][1] if p["level"] == "warning"]
    assert warning["code"] == "ambiguous_date"


def test_a_short_row_is_imported_with_a_warning(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    result = do_import(db, case_id, write_csv(tmp_path / "short.csv", [["سامر النجار", "ليلى"]]))
    assert (result.imported, result.warnings) == (1, 1)
    with db.reader() as session:
        record = session.scalars(select(ListRecord)).one()
    assert record.raw == {HEADER[0]: "سامر النجار", HEADER[1]: "ليلى"}  # only what was written
    assert record.mother == "ليلى"
    assert record.problems[0]["code"] == "row_shape"


@pytest.mark.parametrize("lines", [3, 12])
def test_a_quote_never_closed_rejects_its_row_and_says_the_rows_after_it_went_in(
    db: Database, tmp_path: Path, lines: int
) -> None:
    case_id = make_case(db)
    path = write_csv(tmp_path / "quote.csv", ROWS[:2])
    with path.open("a", encoding="utf-8") as out:  # a quote opened and never closed
        out.write('"سامر النجار,ليلى,ذكر\n' + "رامي الأحمد,,ذكر\n" * (lines - 1))
    with pytest.raises(ImportRejected) as raised:
        do_import(db, case_id, path)
    result = raised.value.result
    assert [(r.row, r.code) for r in result.rejections] == [(4, "unclosed_quote")]
    assert "a quote opened in it is never closed" in result.rejections[0].message
    assert _counts(db) == (0, 0, 0)
    kept = do_import(db, case_id, path, policy="good-rows")
    assert (kept.imported, kept.rejected_rows) == (2, 1)


def test_a_row_of_many_lines_is_rejected_as_a_quote_probably_left_open(
    db: Database, tmp_path: Path
) -> None:
    case_id = make_case(db)
    cell = "\n".join(["سطر"] * 11)
    path = write_csv(tmp_path / "long.csv", [ROWS[0], ["سامر النجار", cell], ROWS[1]])
    with pytest.raises(ImportRejected) as raised:
        do_import(db, case_id, path)
    rejections = raised.value.result.rejections
    assert [(r.row, r.code) for r in rejections] == [(3, "unclosed_quote")]
    assert "spans 11 lines of the file: check for an unclosed quote" in rejections[0].message


def test_a_wrong_encoding_half_way_imports_nothing(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    path = write_csv(tmp_path / "mixed.csv", ROWS * 2000)
    with path.open("ab") as out:  # a Windows-1256 row after 6000 UTF-8 rows, forced as UTF-8
        out.write("أحمد,,,,,,\n".encode("cp1256"))
    with pytest.raises(InvalidInput, match=r"row 6002.*not valid utf-8"):
        do_import(db, case_id, path, encoding="utf-8", policy="good-rows")
    assert _counts(db) == (0, 0, 0)


def test_a_header_without_rows_is_refused(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    with pytest.raises(InvalidInput, match="no data rows"):
        do_import(db, case_id, write_csv(tmp_path / "empty.csv", []))
    assert _counts(db) == (0, 0, 0)


def test_a_mapping_naming_a_missing_column_is_refused(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    path = write_csv(tmp_path / "other.csv", [["x", "y"]], header=["Name", "Age"])
    with pytest.raises(InvalidInput, match="not in the list"):
        do_import(db, case_id, path)
    assert _counts(db) == (0, 0, 0)


def test_a_mapping_without_a_name_column_is_refused(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    path = write_csv(tmp_path / "list.csv", ROWS)
    only_dates = ColumnMapping(columns={"تاريخ الميلاد": "birth_date"})
    with pytest.raises(InvalidInput, match="maps no column to a name"):
        do_import(db, case_id, path, mapping=only_dates)
    assert _counts(db) == (0, 0, 0)
