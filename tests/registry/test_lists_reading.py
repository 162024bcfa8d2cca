"""Reading victim lists: every row back with its number and its cells exactly as written."""

from __future__ import annotations

import csv
import datetime
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.registry.reading import ListFile, read_list

ARABIC_ROWS = [
    ["الاسم الكامل", "اسم الأب", "تاريخ الاستشهاد", "المحافظة"],
    ["محمد أحمد الخطيب", "أحمد", "16/04/2013", "حمص"],
    ["فاطمة علي", "علي، حسن", "2012-08", "ريف دمشق"],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def cells(listed: ListFile) -> list[list[str]]:
    return [list(row.cells) for row in listed.rows()]


@pytest.mark.parametrize(
    ("encoding", "detected", "reason"),
    [
        ("utf-8", "utf-8", "valid UTF-8"),
        ("utf-8-sig", "utf-8", "UTF-8 byte order mark"),
        ("utf-16", "utf-16-le", "UTF-16 little-endian byte order mark"),  # BOM + LE on this CPU
        ("utf-16-le", "utf-16-le", "no byte order mark"),
        ("utf-16-be", "utf-16-be", "no byte order mark"),
        ("cp1256", "cp1256", "read as Windows-1256"),
    ],
)
def test_arabic_list_is_read_in_every_supported_encoding(
    tmp_path: Path, encoding: str, detected: str, reason: str
) -> None:
    listed = read_list(write_csv(tmp_path / "list.csv", ARABIC_ROWS, encoding))
    assert listed.kind == "csv"
    assert listed.encoding == detected
    assert reason in (listed.encoding_reason or "")
    assert listed.headers == tuple(ARABIC_ROWS[0])
    assert cells(listed) == ARABIC_ROWS[1:]
    assert [row.number for row in listed.rows()] == [2, 3]


def test_arabic_comma_is_text_and_semicolon_or_tab_are_delimiters(tmp_path: Path) -> None:
    for delimiter in (";", "\t", ","):
        listed = read_list(write_csv(tmp_path / "l.csv", ARABIC_ROWS, "utf-8", delimiter))
        assert listed.delimiter == delimiter
        assert cells(listed)[1][1] == "علي، حسن"


def test_delimiter_and_encoding_can_be_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [["a;b", "c"], ["1;2", "3"]], "utf-8")
    listed = read_list(path, delimiter=",", encoding="latin-1")
    assert (listed.headers, listed.encoding_reason) == (("a;b", "c"), "given by the user")


def test_cells_are_kept_verbatim_with_spaces_quotes_and_newlines(tmp_path: Path) -> None:
    rows = [["name", "notes"], ["  محمد  ", 'said "no",\nthen left\r\n'], ["x", ""]]
    assert cells(read_list(write_csv(tmp_path / "l.csv", rows, "utf-8"))) == rows[1:]


def test_ragged_rows_are_reported_per_row_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,\n", encoding="utf-8")
    rows = list(read_list(path).rows())
    assert rows[0].problems == ()
    assert "has 2 cells but the header has 3" in rows[1].problems[0]
    assert rows[1].get("c") == ""
    assert "cells 4-4 have no column (kept in the raw row" in rows[2].problems[0]
    assert rows[2].cells == ("1", "2", "3", "4")
    assert "(empty)" in rows[3].problems[0]


def test_blank_rows_are_skipped_but_numbering_matches_the_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("\n\nname,age\r\nA,1\r\n\r\n,\r\nB,2", encoding="utf-8")
    listed = read_list(path)
    assert listed.header_row == 3
    assert [(r.number, r.cells) for r in listed.rows()] == [(4, ("A", "1")), (7, ("B", "2"))]


def test_empty_and_duplicate_headers_are_named_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("name,,name,name_2, \nA,B,C,D,E\n", encoding="utf-8")
    listed = read_list(path)
    assert listed.headers == ("name", "column_2", "name_3", "name_2", "column_5")
    assert listed.raw_headers == ("name", "", "name", "name_2", " ")
    assert len(listed.notices) == 3
    assert "column 3 repeats the header 'name' of column 1" in listed.notices[1]
    assert next(listed.rows()).as_dict()["name_3"] == "C"


def test_invalid_bytes_in_a_bom_encoding_name_row_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    good = "name\nمحمد\nعلي\n".encode()
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\xff\xfe bad\n")
    offset = 3 + len(good)
    with pytest.raises(InvalidInput, match=f"row 4: the bytes at offset {offset} are not valid"):
        list(read_list(path).rows())


def test_odd_byte_in_utf16_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes("name\r\nمحمد\r\nعلي".encode("utf-16") + b"\x00")
    with pytest.raises(InvalidInput, match="row 3: the bytes at offset 32 are not valid utf-16-le"):
        list(read_list(path).rows())


def test_cp1256_fallback_says_where_utf8_failed(tmp_path: Path) -> None:
    listed = read_list(write_csv(tmp_path / "l.csv", [["name"], ["abc"], ["محمد"]], "cp1256"))
    assert listed.encoding_reason == "not UTF-8 (byte offset 11): read as Windows-1256"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\r\n,,\n", "has no header row"),
        (bytes(range(256)) * 20, "is not a text file"),
        (os.urandom(4096), "not a text file"),
        (b"%PDF-1.7\n...", "is a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "password-protected XLSX or"),
        (b"PK\x03\x04 not really a zip", "damaged ZIP archive"),
    ],
)
def test_files_that_are_not_lists_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        read_list(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(InvalidInput, match="is a Word document, not an XLSX workbook"):
        read_list(path)


def test_a_workbook_with_its_parts_damaged_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml")
        archive.writestr("xl/workbook.xml", "<broken")
    with pytest.raises(InvalidInput, match="damaged XLSX workbook"):
        read_list(path)


def write_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Victims"
    sheet.append(["الاسم الكامل", None, "العمر", "تاريخ الوفاة", "الوزن", "حي", "الاسم الكامل"])
    sheet.append(["محمد الخطيب", "x", 35, datetime.date(2013, 4, 16), 61.5, True, "  "])
    sheet.append(["فاطمة", None, 7.0, datetime.datetime(2012, 8, 1, 10, 30), None, None, None])
    sheet.append([])
    sheet.append(["علي", None, None, None, None, None, None, "extra"])
    sheet.cell(row=8, column=1, value="حسن")  # rows 6-7 absent from the file
    workbook.create_sheet("Other").append(["id"])
    workbook.save(path)
    return path


def test_xlsx_cells_are_text_as_a_spreadsheet_user_sees_them(tmp_path: Path) -> None:
    listed = read_list(write_xlsx(tmp_path / "victims.dat"))  # the extension does not matter
    assert (listed.kind, listed.sheet, listed.encoding) == ("xlsx", "Victims", None)
    assert listed.headers == (
        "الاسم الكامل", "column_2", "العمر", "تاريخ الوفاة", "الوزن", "حي", "الاسم الكامل_2",
    )  # fmt: skip
    rows = list(listed.rows())
    assert [r.number for r in rows] == [2, 3, 5, 8]
    assert rows[0].cells == ("محمد الخطيب", "x", "35", "2013-04-16", "61.5", "TRUE", "  ")
    assert rows[1].cells == ("فاطمة", "", "7", "2012-08-01T10:30:00")
    assert rows[1].problems == ()  # trailing empty cells are not a ragged row in a workbook
    assert "have no column" in rows[2].problems[0]
    assert rows[3].get("العمر") == ""


def test_xlsx_sheet_can_be_chosen_by_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "v.xlsx")
    assert read_list(path, sheet="Other").headers == ("id",)
    with pytest.raises(InvalidInput, match="has no sheet 'Nope'; sheets: Victims, Other"):
        read_list(path, sheet="Nope")


def test_header_only_xlsx_and_empty_workbook(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.save(tmp_path / "empty.xlsx")
    with pytest.raises(InvalidInput, match="has no header row"):
        read_list(tmp_path / "empty.xlsx")
    workbook.active.append(["name"])
    workbook.save(tmp_path / "header.xlsx")
    assert list(read_list(tmp_path / "header.xlsx").rows()) == []


CELL = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\r\t", max_codepoint=0x10FFFF
    )
    | st.sampled_from("محمدأحمدعلي،,;\"' ٠١٢"),
    max_size=12,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1256"]),
)
def test_any_cells_written_by_csv_writer_are_read_back_exactly(
    tmp_path: Path, rows: list[list[str]], encoding: str
) -> None:
    header = ["name", "father", "notes"]
    try:
        data = write_csv(tmp_path / "p.csv", [header, *rows], encoding).read_bytes()
    except UnicodeEncodeError:
        assume(False)
    if encoding == "cp1256" and any(b >= 0x80 for b in data):
        # Windows-1256 bytes that are also valid UTF-8 cannot be told apart: read as UTF-8.
        try:
            data.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    listed = read_list(tmp_path / "p.csv")
    expected = [(n, tuple(r)) for n, r in enumerate(rows, start=2) if any(r)]
    assert [(r.number, r.cells) for r in listed.rows()] == expected


def test_a_line_break_inside_a_quoted_cell_does_not_confuse_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["name", "father", "notes"], ["\r", "", ""], ["a", "b", "c"]])
    listed = read_list(path)
    assert listed.delimiter == ","
    assert [(r.number, r.cells) for r in listed.rows()] == [
        (2, ("\r", "", "")),
        (3, ("a", "b", "c")),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name,father\n"Ali, x,y\nOmar,Ahmad\n', "spans 2 lines to the end of the file"),
        ('name,father\nAli,x\n"Omar,Ahmad\n', "spans to the end of the file"),
        ('name,father\nAli,"x\ny"', None),  # closed on the last line, no line end after it
        ("name,father\nAli 5'10\",x\nOmar,Ahmad", None),  # a quote inside a cell, not a quoting
    ],
)
def test_a_quote_left_open_to_the_end_of_the_file_is_said(
    tmp_path: Path, text: str, problem: str | None
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    rows = list(read_list(path).rows())
    said = [p for p in rows[-1].problems if "quote" in p]
    if problem is None:
        assert said == []
        assert all(len(r.cells) == 2 for r in rows)
    else:
        assert len(said) == 1
        assert said[0].startswith(problem)
        assert "never closed" in said[0]


def test_a_title_above_the_table_is_not_taken_for_its_header(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["قائمة ضحايا التضامن"])
    sheet.append([])
    sheet.append(["إعداد: منظمة مثال", None, "2022"])
    sheet.append(["الاسم الثلاثي", "الكنية", "الجنس", "ملاحظات"])
    sheet.append(["سامر أحمد محمود", "النجار", "ذكر", "—"])
    path = tmp_path / "titled.xlsx"
    workbook.save(path)
    listed = read_list(path)
    assert listed.header_row == 4
    assert listed.headers == ("الاسم الثلاثي", "الكنية", "الجنس", "ملاحظات")
    assert listed.notices == (
        "row 4 is taken for the header; the rows above it for a title: "
        "'قائمة ضحايا التضامن'; 'إعداد: منظمة مثال 2022'",
    )
    assert [(r.number, r.cells[0]) for r in listed.rows()] == [(5, "سامر أحمد محمود")]


@pytest.mark.parametrize(
    ("text", "header_row"),
    [
        ("Victim,Dad,Born\nAli,Omar,1980\n", 1),  # headers Dalil does not know: still the header
        ("الاسم,,\nمحمد,1980,ذكر\n", 1),  # one known header, the other columns unnamed
        ("قائمة\nالاسم\nمحمد\n", 1),  # one column: a title cannot be told from a header
        ("Tadamon list\n\nname,father,sex\nAli,Omar,m\n", 3),
    ],
)
def test_the_header_is_the_first_row_unless_a_title_sits_above_a_known_header(
    tmp_path: Path, text: str, header_row: int
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    assert read_list(path).header_row == header_row
