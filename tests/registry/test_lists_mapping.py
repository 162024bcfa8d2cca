"""Column mappings: suggested from headers, saved and reloaded, applied without losing a value."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from dalil.errors import InvalidInput
from dalil.registry.mapping import (
    ColumnMapping,
    apply_mapping,
    load_mapping,
    save_mapping,
    suggest_mapping,
)
from dalil.registry.reading import ListRow
from dalil.values import PartialDate

ARABIC_HEADERS = [
    "م", "الاسم الثلاثي", "اسم الأم", "الجنس", "المواليد", "العمر", "الحالة", "تاريخ الاعتقال",
    "تاريخ الاستشهاد", "المحافظة", "مكان الاعتقال", "ملاحظات", "رقم الهاتف", "عمود غريب",
]  # fmt: skip
ENGLISH_HEADERS = [
    "ID", "Name", "Father's name", "Mother", "Surname", "Gender", "DOB", "Date of death",
    "Governorate", "Place of death", "Notes", "Source",
]  # fmt: skip


def test_arabic_headers_are_mapped_with_confidence() -> None:
    suggestion = suggest_mapping(ARABIC_HEADERS)
    assert suggestion.mapping.columns == {
        "م": "external_id",
        "الاسم الثلاثي": "full_name",
        "اسم الأم": "mother",
        "الجنس": "sex",
        "المواليد": "birth_date",
        "العمر": "age",
        "الحالة": "status",
        "تاريخ الاعتقال": "status_date",
        "تاريخ الاستشهاد": "death_date",
        "المحافظة": "governorate",
        "مكان الاعتقال": "place",
        "ملاحظات": "notes",
    }
    assert suggestion.unmapped == ("رقم الهاتف", "عمود غريب")
    assert {c.confidence for c in suggestion.columns if c.field} == {1.0}
    assert suggestion.mapping.values["sex"]["ذكر"] == "male"
    assert suggestion.mapping.values["status"]["شهيد"] == "killed"


def test_english_headers_and_a_generic_name_beside_name_parts() -> None:
    suggestion = suggest_mapping(ENGLISH_HEADERS)
    assert suggestion.mapping.columns == {
        "ID": "external_id",
        "Name": "given",  # a list with father and surname columns: "Name" is the given name
        "Father's name": "father",
        "Mother": "mother",
        "Surname": "family",
        "Gender": "sex",
        "DOB": "birth_date",
        "Date of death": "death_date",
        "Governorate": "governorate",
        "Place of death": "place",
        "Notes": "notes",
    }
    by_column = {c.column: c for c in suggestion.columns}
    assert by_column["Name"].confidence < 1
    assert suggestion.unmapped == ("Source",)
    assert "status" not in suggestion.mapping.values  # no status column, no status value map


def test_headers_are_matched_after_normalisation_prefix_and_spelling() -> None:
    suggestion = suggest_mapping(
        ["  الإسم الكامل ", "تاريخ الوفاة (يوم/شهر/سنة)", "Familly name", "Name", "NAME"]
    )
    fields = [(c.field, c.confidence) for c in suggestion.columns]
    assert fields[0] == ("full_name", 1.0)
    assert fields[1] == ("death_date", 0.8)
    assert fields[2][0] == "family"
    assert 0 < fields[2][1] < 0.8
    assert fields[3][0] == "given"  # full name already mapped
    assert fields[4][0] is None  # a field goes to one column only


def test_a_second_column_for_the_same_field_is_left_unmapped_with_the_reason() -> None:
    suggestion = suggest_mapping(["الكنية", "اللقب"])
    assert suggestion.mapping.columns == {"الكنية": "family"}
    assert "column 'الكنية' matches better" in suggestion.columns[1].reason


def test_mapping_yaml_round_trip_keeps_arabic_readable(tmp_path: Path) -> None:
    suggested = suggest_mapping(ARABIC_HEADERS).mapping.model_dump()
    mapping = ColumnMapping.model_validate(
        {**suggested, "date_formats": {"death_date": "DD/MM/YYYY"}}
    )
    path = tmp_path / "snhr.yaml"
    save_mapping(mapping, path)
    assert "الاسم الثلاثي: full_name" in path.read_text(encoding="utf-8")
    assert load_mapping(path) == mapping
    assert [p.name for p in tmp_path.iterdir()] == ["snhr.yaml"]  # no temp file left behind


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: {الجنس: sex, Gender: sex}", "field 'sex' is mapped from two columns: 'الجنس'"),
        ("columns: {Name: nam}", "'nam', which is not a field; fields: full_name, given, father"),
        ("columns: {A: sex}\ncolums: {}", "'colums' is not a mapping setting; settings: columns"),
        ("columns: {A: sex}\nvalues: {sex: {ذكر: man}}", "'man', which is not a term; terms:"),
        ("columns: {A: age}\nvalues: {age: {x: y}}", "'age' has no vocabulary"),
        ("columns: {A: age}\ndate_format: D/M/Y", "date format 'D/M/Y' is not supported"),
        ("columns: {A: age}\ndate_formats: {age: ISO}", "'age' is not one of birth_date"),
        ("columns: {A: sex, A: age}", "'A' is listed twice"),
        ("- just a list", "must be a YAML mapping"),
        ("columns: [", "is not a readable mapping file"),
    ],
)
def test_invalid_mapping_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_mapping(path)


def test_a_mapping_built_in_code_is_validated_too() -> None:
    with pytest.raises(ValidationError, match="is mapped from two columns"):
        ColumnMapping(columns={"a": "given", "b": "given"})


HEADERS = ("الاسم", "الجنس", "الحالة", "تاريخ", "الميلاد", "العمر", "ملاحظات")
MAPPING = ColumnMapping(
    columns={
        "الاسم": "full_name",
        "الجنس": "sex",
        "الحالة": "status",
        "تاريخ": "death_date",
        "الميلاد": "birth_date",
        "العمر": "age",
        "ملاحظات": "notes",
    },
    values={"sex": {"ذكر": "male", "M": "male"}, "status": {"شهيد": "killed"}},
    date_formats={"death_date": "DD/MM/YYYY"},
)


def row(*cells: str) -> ListRow:
    return ListRow(7, cells, HEADERS)


def test_values_are_cleaned_through_value_maps_vocabularies_and_formats() -> None:
    source = row("  محمد   أحمد ", "m", "شهيد", "16/04/2013", "١٩٨٠", "٣٣ سنة", " a\nb ")
    mapped = apply_mapping(source, MAPPING)
    assert mapped.values == {
        "full_name": "محمد أحمد",
        "sex": "male",
        "status": "killed",
        "death_date": PartialDate(2013, 4, 16),
        "birth_date": PartialDate(1980),
        "age": 33.0,
        "notes": "a\nb",
    }
    assert (mapped.problems, mapped.unresolved, mapped.number) == ((), {}, 7)
    assert mapped.row is source
    assert source.cells[0] == "  محمد   أحمد "  # the raw row is never altered


def test_vocabulary_labels_are_understood_without_a_value_map() -> None:
    mapped = apply_mapping(row("x", "أنثى", "Detained", "", "", "", ""), MAPPING)
    assert (mapped.values["sex"], mapped.values["status"]) == ("female", "detained")


def test_unknown_status_is_kept_and_flagged_never_dropped() -> None:
    mapped = apply_mapping(row("x", "", "مغيب", "", "", "", ""), MAPPING)
    assert "status" not in mapped.values
    assert mapped.unresolved == {"status": "مغيب"}
    (problem,) = mapped.problems
    assert (problem.field, problem.column, problem.code) == ("status", "الحالة", "unknown_term")
    assert "add it to values.status (terms: killed, missing" in problem.message


@pytest.mark.parametrize(
    ("cell", "expected", "code"),
    [
        ("03/04/2013", PartialDate(2013, 4, 3), "ambiguous_date"),
        ("٠٣/٠٤/٢٠١٣", PartialDate(2013, 4, 3), "ambiguous_date"),
        ("04/04/2013", PartialDate(2013, 4, 4), None),
        ("25/12/2013", PartialDate(2013, 12, 25), None),
        ("2013-04-16", PartialDate(2013, 4, 16), None),
        ("2013-04-16T00:00:00", PartialDate(2013, 4, 16), None),
        ("4/2013", PartialDate(2013, 4), None),
        ("حوالي 1975", PartialDate(1975, estimated=True), None),
        ("12/25/2013", None, "invalid_date"),
        ("3/4/13", None, "invalid_date"),
        ("31/02/2013", None, "invalid_date"),
        ("غير معروف", None, "invalid_date"),
    ],
)
def test_auto_dates_read_iso_then_day_first_and_flag_ambiguity(
    cell: str, expected: PartialDate | None, code: str | None
) -> None:
    mapped = apply_mapping(row("x", "", "", "", cell, "", ""), MAPPING)  # birth_date: auto
    assert mapped.values.get("birth_date") == expected
    assert [p.code for p in mapped.problems] == ([code] if code else [])
    if expected is None:
        assert mapped.unresolved == {"birth_date": cell}


def test_explicit_formats_are_not_ambiguous() -> None:
    day_first = apply_mapping(row("x", "", "", "03/04/2013", "", "", ""), MAPPING)
    assert (day_first.values["death_date"], day_first.problems) == (PartialDate(2013, 4, 3), ())
    month_first = ColumnMapping.model_validate(
        {**MAPPING.model_dump(), "date_formats": {"death_date": "MM/DD/YYYY"}}
    )
    mapped = apply_mapping(row("x", "", "", "03/04/2013", "", "", ""), month_first)
    assert mapped.values["death_date"] == PartialDate(2013, 3, 4)


@pytest.mark.parametrize(
    ("cell", "age"),
    [("35", 35.0), ("٣٥", 35.0), ("35 عاماً", 35.0), ("~40 years", 40.0), ("6 أشهر", 0.5)],
)
def test_ages_in_years_or_months_with_arabic_digits(cell: str, age: float) -> None:
    assert apply_mapping(row("x", "", "", "", "", cell, ""), MAPPING).values["age"] == age


@pytest.mark.parametrize("cell", ["كبير", "200", "35 kg", "-3"])
def test_impossible_ages_are_flagged(cell: str) -> None:
    mapped = apply_mapping(row("x", "", "", "", "", cell, ""), MAPPING)
    assert [p.code for p in mapped.problems] == ["invalid_age"]
    assert mapped.unresolved == {"age": cell}


def test_a_row_without_any_name_is_flagged_and_short_rows_read_as_empty() -> None:
    mapped = apply_mapping(ListRow(9, (" ",), HEADERS), MAPPING)
    assert [p.code for p in mapped.problems] == ["no_name"]
    assert mapped.values == {}


def test_a_mapping_naming_a_missing_column_is_refused() -> None:
    with pytest.raises(InvalidInput, match="'Gender' are not in the list"):
        apply_mapping(row("x"), ColumnMapping(columns={"Gender": "sex"}))


@given(st.lists(st.text(max_size=15), min_size=7, max_size=7))
def test_apply_mapping_never_loses_a_non_empty_cell(cells: list[str]) -> None:
    mapped = apply_mapping(ListRow(2, tuple(cells), HEADERS), MAPPING)
    for column, target in MAPPING.columns.items():
        cell = cells[HEADERS.index(column)]
        if cell.strip():
            assert (target in mapped.values) != (target in mapped.unresolved)
        else:
            assert target not in mapped.values
            assert target not in mapped.unresolved
