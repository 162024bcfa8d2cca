"""``dalil lists``: suggest a mapping, import a list, read what was imported, refuse bad input."""

from __future__ import annotations

import csv
from pathlib import Path

from cli.clihelp import Cli
from registry.store_support import HEADER, ROWS, write_csv

BAD_ROW = ["خالد العمر", "", "ذكر", "31/02/1985", "", "", "إدلب"]


def _setup(cli: Cli, tmp_path: Path) -> tuple[Path, Path]:
    cli.ok("case", "create", "lists", "--title-en", "Lists")
    path = write_csv(tmp_path / "snhr.csv", ROWS)
    mapping = tmp_path / "snhr.yaml"
    suggested = cli.json("lists", "mapping", "suggest", str(path), "--out", str(mapping))
    fields = {c["column"]: c["field"] for c in suggested["columns"]}
    assert fields["الاسم الكامل"] == "full_name"
    assert fields["تاريخ الميلاد"] == "birth_date"
    assert mapping.exists()
    return path, mapping


def test_suggest_import_list_show_records(cli: Cli, tmp_path: Path) -> None:
    path, mapping = _setup(cli, tmp_path)
    table = cli.ok("lists", "mapping", "suggest", str(path)).out
    assert "الاسم الكامل" in table
    assert "full_name" in table

    done = cli.ok("lists", "import", str(path), "--source", "SNHR", "--mapping", str(mapping))
    assert "Imported 3 of 3 rows" in done.out
    imports = cli.json("lists", "list")
    assert [(i["source"]["title"], i["rows"], i["imported"]) for i in imports] == [("SNHR", 3, 3)]
    import_id = imports[0]["id"]

    shown = cli.json("lists", "show", import_id)
    assert shown["mapping"]["columns"]["الاسم الكامل"] == "full_name"
    assert shown["rejected_rows"] == []
    assert shown["file_name"] == "snhr.csv"
    assert import_id in cli.ok("lists", "show", import_id).out

    records = cli.json("lists", "records", import_id, "--limit", "2")
    assert [r["row_number"] for r in records] == [2, 3]
    assert records[0]["raw"] == dict(zip(HEADER, ROWS[0], strict=True))
    assert records[0]["derived"]["given"] == "محمد"
    assert records[0]["derived"]["birth_date"] == "1980-04-16"
    assert "محمد بن أحمد الخطيب" in cli.ok("lists", "records", import_id).out

    again = cli.run("lists", "import", str(path), "--source", "SNHR", "--mapping", str(mapping))
    assert again.code != 0
    assert "already imported" in again.err
    assert "Traceback" not in again.output


def test_rejected_rows_are_reported_and_nothing_imported(cli: Cli, tmp_path: Path) -> None:
    _, mapping = _setup(cli, tmp_path)
    bad = write_csv(tmp_path / "bad.csv", [*ROWS, BAD_ROW])
    report = tmp_path / "rejected.csv"
    args = ("lists", "import", str(bad), "--source", "VDC", "--mapping", str(mapping))
    refused = cli.run(*args, "--report", str(report))
    assert refused.code == 4
    assert "1 of 4 rows were rejected, so nothing was imported" in refused.err
    assert "day must be 1-28" in refused.err
    with report.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["row"], r["field"], r["code"]) for r in rows] == [
        ("5", "birth_date", "invalid_date")
    ]
    assert cli.json("lists", "list") == []

    done = cli.json(*args, "--policy", "good-rows")
    assert (done["imported"], done["rejected_rows"]) == (3, 1)
    shown = cli.json("lists", "show", done["import_id"])
    assert [r["row"] for r in shown["rejected_rows"]] == [5]
    assert shown["records_with_problems"] == 0


def test_records_with_warnings_are_counted_and_shown(cli: Cli, tmp_path: Path) -> None:
    _, mapping = _setup(cli, tmp_path)
    ambiguous = ["هدى الصالح", "", "أنثى", "03/04/1990", "", "", "حمص"]
    path = write_csv(tmp_path / "warn.csv", [ROWS[0], ambiguous])
    done = cli.json("lists", "import", str(path), "--source", "W", "--mapping", str(mapping))
    assert (done["imported"], done["rows_with_warnings"]) == (2, 1)
    assert cli.json("lists", "show", done["import_id"])["records_with_problems"] == 1
    records = cli.json("lists", "records", done["import_id"])
    assert [p["code"] for r in records for p in r["problems"]] == ["ambiguous_date"]
    assert "month-first it would be 1990-03-04" in cli.ok("lists", "records", done["import_id"]).out


def test_unreadable_files_and_bad_options_give_clear_errors(cli: Cli, tmp_path: Path) -> None:
    _, mapping = _setup(cli, tmp_path)
    pdf = tmp_path / "list.csv"
    pdf.write_bytes(b"%PDF-1.7 not a list")
    result = cli.run("lists", "import", str(pdf), "--source", "X", "--mapping", str(mapping))
    assert result.code != 0
    assert "PDF" in result.err
    assert "Traceback" not in result.output
    policy = cli.run(
        "lists", "import", str(pdf), "--source", "X", "--mapping", str(mapping), "--policy", "some"
    )
    assert policy.code != 0
    assert "all-or-nothing" in policy.output
    missing = cli.run("lists", "show", "lim_doesnotexist0000")
    assert missing.code == 3
    assert "no list import" in missing.err


def test_a_wrong_mapping_is_mended_by_a_remap_not_a_second_import(cli: Cli, tmp_path: Path) -> None:
    path, mapping = _setup(cli, tmp_path)
    text = mapping.read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("اسم الأم: mother", "اسم الأم: father"), encoding="utf-8")
    cli.ok("lists", "import", str(path), "--source", "SNHR", "--mapping", str(wrong))
    import_id = cli.json("lists", "list")[0]["id"]
    assert cli.json("lists", "records", import_id)[0]["derived"]["father"] == "فاطمة"

    done = cli.ok("lists", "remap", import_id, "--mapping", str(mapping), "--reason", "mother")
    assert "Remapped import" in done.out
    assert "dalil link run" in done.out
    first = cli.json("lists", "records", import_id)[0]["derived"]
    assert (first["father"], first["mother"]) == ("أحمد", "فاطمة")
    shown = cli.json("lists", "show", import_id)
    assert [r["reason"] for r in shown["remaps"]] == ["mother"]
    assert "remapped" in cli.ok("lists", "show", import_id).out

    month_first = tmp_path / "month-first.yaml"
    month_first.write_text(text.replace("date_format: auto", "date_format: MM/DD/YYYY"), "utf-8")
    refused = cli.run("lists", "remap", import_id, "-m", str(month_first), "--reason", "dates")
    assert refused.code != 0
    assert "nothing was changed" in refused.err
    assert "birth_date" in refused.err  # the row that would be rejected, and why
    assert "Traceback" not in refused.output
    assert cli.json("lists", "records", import_id)[0]["derived"]["birth_date"] == "1980-04-16"
