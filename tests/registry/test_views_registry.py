"""Registry views: best values with the records behind them, redirects, counts, exports, and
capture histories that estimation uses."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dalil.db import Case, Database
from dalil.errors import NotFound
from dalil.estimation import case_captures, run
from dalil.registry.views import (
    capture_histories,
    export_captures_csv,
    export_csv,
    registry_counts,
    registry_person,
    registry_persons,
)
from registry.store_support import add_persons, do_import, make_case, record_ids, retire, write_csv

# Synthetic people. List A (Arabic) and list B; the same three people, differently recorded.
LIST_A = [
    ["محمد بن أحمد الخطيب", "فاطمة", "ذكر", "16/04/1980", "مقتول", "2013-04-16", "دمشق"],
    ["عبد الله محمود السيد", "", "ذكر", "1975", "مفقود", "", "حمص"],
    ["سارة خالد العلي", "مريم", "أنثى", "", "", "", "حلب"],
]
LIST_B = [
    ["محمد أحمد الخطيب", "", "ذكر", "1980", "مقتول", "2013-04", "دمشق"],
    ["عبد الله السيد", "", "ذكر", "1975", "معتقل", "2012", ""],  # less complete than A
    ["يوسف النجار", "", "ذكر", "", "مقتول", "2014-01-02", "درعا"],
]


def _registry(db: Database, tmp_path: Path) -> dict[str, object]:
    case_id = make_case(db)
    a = do_import(db, case_id, write_csv(tmp_path / "a.csv", LIST_A), source="List A")
    b = do_import(db, case_id, write_csv(tmp_path / "b.csv", LIST_B), source="List B")
    assert a.import_id
    assert b.import_id
    ra, rb = record_ids(db, a.import_id), record_ids(db, b.import_id)
    clusters = [[ra[0], rb[0]], [ra[1], rb[1]], [ra[2]], [rb[2]]]
    persons = add_persons(db, case_id, clusters)
    return {
        "case": case_id,
        "a": ra,
        "b": rb,
        "persons": persons,
        "sources": (a.source_id, b.source_id),
    }


def test_best_values_say_which_records_give_them(db: Database, tmp_path: Path) -> None:
    reg = _registry(db, tmp_path)
    with db.reader() as session:
        page = registry_persons(session, str(reg["case"]), limit=10)
    by_id = {p["id"]: p for p in page}
    assert set(by_id) == set(reg["persons"])  # type: ignore[arg-type]
    mohammad = by_id[reg["persons"][0]]  # type: ignore[index]
    a0, b0 = reg["a"][0], reg["b"][0]  # type: ignore[index]
    assert mohammad["fields"]["given"] == {
        "value": "محمد", "records": sorted([a0, b0]), "other_values": []
    }  # fmt: skip
    # 1980-04-16 and 1980 tie one to one: the more complete record (list A's) wins.
    assert mohammad["fields"]["birth_date"]["value"] == "1980-04-16"
    assert mohammad["fields"]["birth_date"]["records"] == [a0]
    assert mohammad["fields"]["birth_date"]["other_values"] == ["1980"]
    assert mohammad["fields"]["mother"]["value"] == "فاطمة"  # one record gives it, one does not
    assert mohammad["lists"] == sorted(reg["sources"])  # type: ignore[call-overload]


def test_paging_and_search(db: Database, tmp_path: Path) -> None:
    reg = _registry(db, tmp_path)
    case_id = str(reg["case"])
    with db.reader() as session:
        first = registry_persons(session, case_id, limit=3)
        rest = registry_persons(session, case_id, limit=3, offset=3)
        found = registry_persons(session, case_id, q="النجار")
        none = registry_persons(session, case_id, q="nobody")
        # Spelling variants fold (احمد finds أحمد), words match in any order and across parts.
        variants = registry_persons(session, case_id, q="الخطيب  احمد")
        percent = registry_persons(session, case_id, q="%")
    assert len(first) == 3
    assert len(rest) == 1
    assert {p["id"] for p in first + rest} == set(reg["persons"])  # type: ignore[arg-type]
    assert [p["id"] for p in found] == [reg["persons"][3]]  # type: ignore[index]
    assert none == []
    assert [p["id"] for p in variants] == [reg["persons"][0]]  # type: ignore[index]
    assert percent == []  # no letters: nothing matches (and no LIKE wildcard leaks through)


def test_a_retired_id_answers_with_the_ids_it_became(db: Database, tmp_path: Path) -> None:
    reg = _registry(db, tmp_path)
    persons: list[str] = reg["persons"]  # type: ignore[assignment]
    retire(db, persons[2], [persons[0]], "merged")
    with db.reader() as session:
        old = registry_person(session, persons[2])
        new = registry_person(session, persons[0])
        listed = registry_persons(session, str(reg["case"]))
        with pytest.raises(NotFound, match="no registry person"):
            registry_person(session, "vic_doesnotexist000")
    assert old["status"] == "retired"
    assert old["redirects"] == [{"id": persons[0], "reason": "merged"}]
    assert new["redirected_from"] == [persons[2]]
    assert [r["row_number"] for r in new["record_details"]] == [2, 2]
    assert persons[2] not in {p["id"] for p in listed}


def test_counts_by_list_status_place_and_year(db: Database, tmp_path: Path) -> None:
    reg = _registry(db, tmp_path)
    with db.reader() as session:
        counts = registry_counts(session, str(reg["case"]))
    assert (counts["persons"], counts["records"]) == (4, 6)
    assert {e["title"]: e["persons"] for e in counts["by_list"]} == {"List A": 3, "List B": 3}
    # عبد الله: missing (A) vs detained (B) tie; A's record is the more complete one.
    assert counts["by_status"] == {"killed": 2, "missing": 1, "unknown": 1}
    assert counts["by_governorate"] == {"حلب": 1, "حمص": 1, "دمشق": 1, "درعا": 1}
    assert counts["by_year"] == {"2012": 1, "2013": 1, "2014": 1, "unknown": 1}


def test_exports(db: Database, tmp_path: Path) -> None:
    reg = _registry(db, tmp_path)
    out, captures = io.StringIO(), io.StringIO()
    with db.reader() as session:
        assert export_csv(session, str(reg["case"]), out) == 4
        assert export_captures_csv(session, str(reg["case"]), captures) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    mohammad = next(r for r in rows if r["registry_id"] == reg["persons"][0])  # type: ignore[index]
    assert (mohammad["given"], mohammad["family"], mohammad["record_count"]) == (
        "محمد",
        "الخطيب",
        "2",
    )
    table = list(csv.reader(io.StringIO(captures.getvalue())))
    assert table[0] == ["registry_id", "List A", "List B"]
    assert sorted(tuple(r[1:]) for r in table[1:]) == [
        ("0", "1"),
        ("1", "0"),
        ("1", "1"),
        ("1", "1"),
    ]


def test_capture_histories_feed_chapman(db: Database, tmp_path: Path) -> None:
    reg = _registry(db, tmp_path)
    with db.reader() as session:
        histories = capture_histories(session, str(reg["case"]))
        case = session.get(Case, str(reg["case"]))
        assert case is not None
        captures = case_captures(session, case)
        by_sex = case_captures(session, case, by="sex")
    assert sorted(histories.patterns) == ["01", "10", "11", "11"]
    assert [e["title"] for e in histories.lists] == ["List A", "List B"]
    # n1 = 3 (A), n2 = 3 (B), both = 2: Chapman (4 × 4) / 3 − 1.
    estimate = run(captures.table, "chapman")
    assert estimate.total == pytest.approx(4 * 4 / 3 - 1)
    assert estimate.documented == 4
    assert set(by_sex.tables) == {"female", "male"}
    assert captures.notes
    assert "registry" in captures.notes[0]
