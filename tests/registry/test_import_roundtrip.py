"""A list imported is kept verbatim, row by row, with cleaned values beside each row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dalil.db import Change, Database, Source
from dalil.db.models_registry import ListImport, ListRecord
from dalil.errors import Conflict
from dalil.registry.mapping import ColumnMapping
from dalil.values import PartialDate
from registry.store_support import HEADER, ROWS, do_import, make_case, write_csv


def test_every_cell_is_kept_verbatim_with_its_row_number(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    path = write_csv(tmp_path / "list.csv", [ROWS[0], ["", "", "", "", "", "", ""], *ROWS[1:]])
    result = do_import(db, case_id, path)
    assert (result.rows, result.imported, result.rejected_rows) == (3, 3, 0)
    with db.reader() as session:
        records = list(
            session.scalars(
                select(ListRecord)
                .where(ListRecord.import_id == result.import_id)
                .order_by(ListRecord.row_number)
            )
        )
        imported = session.get(ListImport, result.import_id)
        source = session.get(Source, result.source_id)
    # The header is row 1 and the blank row 3 is skipped but still counted.
    assert [r.row_number for r in records] == [2, 4, 5]
    for record, row in zip(records, ROWS, strict=True):
        assert list(record.raw.items()) == list(zip(HEADER, row, strict=True))
    assert records[2].raw["الاسم الكامل"] == "  سارة  خالد   العلي "  # spaces kept in raw
    assert imported is not None
    assert source is not None
    assert (imported.row_count, imported.imported_count, imported.rejected_count) == (3, 3, 0)
    assert imported.encoding == "utf-8"
    assert imported.file_bytes == path.stat().st_size
    assert imported.mapping["columns"]["الاسم الكامل"] == "full_name"
    assert (source.source_type, source.title) == ("list", "SNHR list")


def test_derived_columns_are_cleaned_and_full_names_split(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    result = do_import(db, case_id, write_csv(tmp_path / "list.csv", ROWS))
    with db.reader() as session:
        first, second, third = session.scalars(
            select(ListRecord)
            .where(ListRecord.import_id == result.import_id)
            .order_by(ListRecord.row_number)
        )
    assert (first.given, first.father, first.family) == ("محمد", "أحمد", "الخطيب")
    assert (first.sex, first.status, first.mother) == ("male", "killed", "فاطمة")
    assert first.birth_date == PartialDate.parse("1980-04-16")
    assert first.death_date == PartialDate.parse("2013-04-16")
    assert first.governorate == "دمشق"
    assert second.given == "عبد الله"  # a compound name stays one part
    assert (second.status, second.birth_date) == ("missing", PartialDate.parse("1975"))
    assert third.full_name == "سارة خالد العلي"  # whitespace collapsed in the derived column
    assert (third.given, third.father, third.family) == ("سارة", "خالد", "العلي")
    assert third.sex == "female"
    assert third.status is None


def test_a_full_name_gives_the_parts_a_row_lacks_beside_a_father_column(
    db: Database, tmp_path: Path
) -> None:
    case_id = make_case(db)
    mapping = ColumnMapping(columns={"الاسم الكامل": "full_name", "اسم الأب": "father"})
    rows = [["وليد عبد الله المثال", "عبد الله"], ["وليد عبد الله", "عبد الله"]]
    path = write_csv(tmp_path / "list.csv", rows, header=["الاسم الكامل", "اسم الأب"])
    result = do_import(db, case_id, path, mapping=mapping)
    with db.reader() as session:
        first, second = session.scalars(
            select(ListRecord)
            .where(ListRecord.import_id == result.import_id)
            .order_by(ListRecord.row_number)
        )
    assert (first.given, first.father, first.family) == ("وليد", "عبد الله", "المثال")
    assert first.raw == {"الاسم الكامل": "وليد عبد الله المثال", "اسم الأب": "عبد الله"}
    assert (second.given, second.father, second.family) == ("وليد", "عبد الله", None)
    notes = [p["message"] for p in second.problems if p["code"] == "name_split"]
    assert notes
    assert "the father name the row gives" in notes[0]


def test_the_same_file_is_refused_the_second_time(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    path = write_csv(tmp_path / "list.csv", ROWS)
    first = do_import(db, case_id, path)
    with pytest.raises(Conflict, match=f"already imported.*{first.import_id}"):
        do_import(db, case_id, path, source=first.source_id)
    with pytest.raises(Conflict, match="already imported"):
        do_import(db, case_id, path, source="Another name for the same list")
    with db.reader() as session:
        assert session.scalar(select(ListImport.id).where(ListImport.id != first.import_id)) is None
        titles = session.scalars(select(Source.title)).all()
    assert titles == ["SNHR list"]  # the refused import left no new Source behind


def test_an_import_is_one_event_not_a_history_row_per_record(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    do_import(db, case_id, write_csv(tmp_path / "list.csv", ROWS))
    with db.reader() as session:
        tables = session.scalars(select(Change.table)).all()
    assert "list_records" not in tables
    assert "list_imports" not in tables
    assert tables.count("sources") == 1  # the new list's Source is a documented record


def test_utf16_and_windows_1256_lists_read_the_same(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    values = []
    for name, encoding in (("a.csv", "utf-16"), ("b.csv", "cp1256")):
        result = do_import(
            db, case_id, write_csv(tmp_path / name, ROWS[:2], encoding=encoding), source=name
        )
        with db.reader() as session:
            values.append(
                [
                    (r.raw, r.given, r.birth_date)
                    for r in session.scalars(
                        select(ListRecord)
                        .where(ListRecord.import_id == result.import_id)
                        .order_by(ListRecord.row_number)
                    )
                ]
            )
    assert values[0] == values[1]
    assert values[0][0][1] == "محمد"


def test_an_xlsx_sheet_is_imported_with_its_cells_as_text(db: Database, tmp_path: Path) -> None:
    import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "ملاحظات"
    sheet = workbook.create_sheet("الضحايا")
    sheet.append(HEADER)
    sheet.append(
        ["محمد بن أحمد الخطيب", "فاطمة", "ذكر", datetime.date(1980, 4, 16), "مقتول", None, "دمشق"]
    )
    sheet.append(["سارة العلي", None, "أنثى", 1990, None, None, "حلب"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    result = do_import(db, make_case(db), path, sheet="الضحايا")
    assert (result.rows, result.imported) == (2, 2)
    with db.reader() as session:
        imported = session.get(ListImport, result.import_id)
        first, second = session.scalars(
            select(ListRecord)
            .where(ListRecord.import_id == result.import_id)
            .order_by(ListRecord.row_number)
        )
    assert imported is not None
    assert (imported.sheet, imported.encoding) == ("الضحايا", None)
    assert first.raw["تاريخ الميلاد"] == "1980-04-16"
    assert second.raw["تاريخ الميلاد"] == "1990"
    assert first.birth_date == PartialDate.parse("1980-04-16")
    assert second.birth_date == PartialDate.parse("1990")
