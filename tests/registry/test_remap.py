"""A list imported with a wrong mapping is mended by deriving its records again from their rows
as written: the rows never change, a mapping that would reject a row changes nothing, the import
keeps who remapped it, when, why and what mapping it replaced, and the next link run starts
again from scratch."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dalil.db import Case, Database
from dalil.db.models_registry import ListImport, ListRecord
from dalil.errors import InvalidInput, NotFound
from dalil.registry.importing import ImportRejected
from dalil.registry.linking import link_case
from dalil.registry.mapping import ColumnMapping
from dalil.registry.remapping import RemapRejected, remap_import
from registry.linking_support import ACTOR, MAPPING, two_lists
from registry.store_support import HEADER, ROWS, do_import, make_case, write_csv

DERIVED = ("full_name", "given", "father", "family", "mother", "sex", "status", "birth_date",
           "death_date", "governorate", "problems")  # fmt: skip
# The list's mother column read as the father's, and its dates month-first: a wrong mapping.
WRONG = ColumnMapping(
    columns={"الاسم الكامل": "full_name", "اسم الأم": "father", "الجنس": "sex",
             "تاريخ الميلاد": "birth_date", "الوضع": "status", "المحافظة": "governorate"},
)  # fmt: skip
RIGHT = ColumnMapping(
    columns={"الاسم الكامل": "full_name", "اسم الأم": "mother", "الجنس": "sex",
             "تاريخ الميلاد": "birth_date", "الوضع": "status", "تاريخ الوفاة": "death_date",
             "المحافظة": "governorate"},
)  # fmt: skip


def _records(db: Database, import_id: str) -> list[ListRecord]:
    with db.reader() as session:
        found = session.scalars(
            select(ListRecord)
            .where(ListRecord.import_id == import_id)
            .order_by(ListRecord.row_number)
        ).all()
        session.expunge_all()
        return list(found)


def _remap(db: Database, case_id: str, import_id: str, mapping: ColumnMapping, reason: str) -> Any:
    with db.transaction(ACTOR) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return remap_import(session, case, import_id, mapping, reason)


def test_a_remap_derives_the_records_again_and_keeps_what_it_replaced(
    db: Database, tmp_path: Path
) -> None:
    case_id = make_case(db)
    imported = do_import(db, case_id, write_csv(tmp_path / "list.csv", ROWS), mapping=WRONG)
    assert imported.import_id is not None
    before = _records(db, imported.import_id)
    # The wrong mapping read the mother's column as the father's and left out the death date.
    assert (before[0].father, before[0].mother, before[0].death_date) == ("فاطمة", None, None)
    why = "the mother's column was read as the father's"
    result = _remap(db, case_id, imported.import_id, RIGHT, why)
    # The second row has no mother nor date of death: its father is its full name's either way.
    assert (result.records, result.changed) == (3, 2)
    after = _records(db, imported.import_id)
    assert [r.raw for r in after] == [r.raw for r in before]  # the rows as written, unchanged
    assert [r.id for r in after] == [r.id for r in before]  # the same records
    first = after[0]
    assert (first.given, first.father, first.family, first.mother) == (
        "محمد",
        "أحمد",
        "الخطيب",
        "فاطمة",
    )
    assert str(first.death_date) == "2013-04-16"
    with db.reader() as session:
        stored = session.get(ListImport, imported.import_id)
        assert stored is not None
        assert stored.mapping == RIGHT.model_dump()
        (remap,) = stored.remaps
    assert remap["reason"] == why
    assert remap["replaced"] == WRONG.model_dump()
    assert remap["actor"] == ACTOR
    assert remap["at"]


def test_a_mapping_that_would_reject_a_row_changes_nothing(db: Database, tmp_path: Path) -> None:
    case_id = make_case(db)
    imported = do_import(db, case_id, write_csv(tmp_path / "list.csv", ROWS), mapping=RIGHT)
    assert imported.import_id is not None
    before = [[getattr(r, k) for k in DERIVED] for r in _records(db, imported.import_id)]
    month_first = ColumnMapping.model_validate({**RIGHT.model_dump(), "date_format": "MM/DD/YYYY"})
    with pytest.raises(RemapRejected) as raised:  # 16/04/1980 is no date month-first
        _remap(db, case_id, imported.import_id, month_first, "dates are month-first")
    assert [(r.row, r.field) for r in raised.value.result.rejections] == [(2, "birth_date")]
    assert raised.value.rejected == 1
    with pytest.raises(InvalidInput, match="maps no column to a name"):
        _remap(db, case_id, imported.import_id, ColumnMapping(columns={"الجنس": "sex"}), "x")
    with pytest.raises(InvalidInput, match="say why"):
        _remap(db, case_id, imported.import_id, RIGHT, "  ")
    with pytest.raises(NotFound):
        _remap(db, case_id, "lim_unknown", RIGHT, "typo")
    other = make_case(db, slug="other")
    with pytest.raises(NotFound):  # an import of another case is not found from this one
        _remap(db, other, imported.import_id, RIGHT, "wrong case")
    after = [[getattr(r, k) for k in DERIVED] for r in _records(db, imported.import_id)]
    assert after == before
    with db.reader() as session:
        stored = session.get(ListImport, imported.import_id)
        assert stored is not None
        assert (stored.remaps, stored.mapping) == ([], RIGHT.model_dump())


def test_the_link_run_after_a_remap_starts_again_from_scratch(db: Database, tmp_path: Path) -> None:
    case_id, _ = two_lists(db, tmp_path, n=30, overlap=20)
    first = link_case(db, case_id, actor=ACTOR)
    assert not first.incremental
    assert link_case(db, case_id, actor=ACTOR).incremental  # nothing new: incremental
    with db.reader() as session:
        import_id = session.scalars(select(ListImport.id).order_by(ListImport.created_at)).first()
    assert import_id is not None
    swapped = ColumnMapping(columns={**MAPPING.columns, "father": "mother", "mother": "father"})
    _remap(db, case_id, import_id, swapped, "father and mother swapped, to test")
    again = link_case(db, case_id, actor=ACTOR)
    assert not again.incremental  # the records' values changed: all linked again
    assert link_case(db, case_id, actor=ACTOR).incremental


_counter = itertools.count()
CELL = st.text(alphabet=st.sampled_from(list("محمدأحمدال 0123456789/-ذكرأنثى")), max_size=10)


@settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(st.lists(st.lists(CELL, min_size=1, max_size=len(HEADER) + 1), min_size=1, max_size=6))
def test_remapping_with_the_import_s_own_mapping_changes_no_record(
    db: Database, tmp_path: Path, rows: list[list[str]]
) -> None:
    case_id = make_case(db, slug=f"fuzz-{next(_counter)}")
    path = write_csv(tmp_path / f"list-{next(_counter)}.csv", rows)
    try:
        imported = do_import(db, case_id, path, mapping=RIGHT, policy="good-rows")
    except (ImportRejected, InvalidInput):
        return  # nothing imported (no good row, or no data row): nothing to remap
    assert imported.import_id is not None
    before = [[getattr(r, k) for k in DERIVED] for r in _records(db, imported.import_id)]
    result = _remap(db, case_id, imported.import_id, RIGHT, "the same mapping again")
    assert (result.records, result.changed) == (imported.imported, 0)
    after = [[getattr(r, k) for k in DERIVED] for r in _records(db, imported.import_id)]
    assert after == before


def test_derive_fills_exactly_the_columns_a_remap_writes() -> None:
    from dalil.registry.importing import DERIVED as WRITTEN
    from dalil.registry.importing import derive
    from dalil.registry.reading import ListRow

    values, rejections, _ = derive(ListRow(2, tuple(ROWS[0]), tuple(HEADER)), RIGHT)
    assert rejections == []
    assert values is not None
    assert sorted(values) == sorted(WRITTEN)


def test_a_long_list_is_remapped_in_batches_and_a_late_rejection_undoes_them(
    db: Database, tmp_path: Path
) -> None:
    case_id = make_case(db)
    rows = [[f"سامر {i} النجار", "ليلى", "ذكر", "1975", "", "", "حمص"] for i in range(4_500)]
    rows.append(["خالد العمر", "هدى", "ذكر", "16/04/1980", "", "", "إدلب"])  # day-first only
    imported = do_import(db, case_id, write_csv(tmp_path / "long.csv", rows), mapping=WRONG)
    assert imported.import_id is not None
    swapped_and_month_first = ColumnMapping.model_validate(
        {**RIGHT.model_dump(), "date_format": "MM/DD/YYYY"}
    )
    with pytest.raises(RemapRejected) as raised:  # after two batches were written
        _remap(db, case_id, imported.import_id, swapped_and_month_first, "try")
    assert [r.row for r in raised.value.result.rejections] == [4_502]
    records = _records(db, imported.import_id)
    assert {r.mother for r in records} == {None}  # every written batch was undone
    result = _remap(db, case_id, imported.import_id, RIGHT, "mother, not father")
    assert (result.records, result.changed) == (4_501, 4_501)
    records = _records(db, imported.import_id)
    assert {r.mother for r in records} == {"ليلى", "هدى"}
    assert records[-1].birth_date is not None
