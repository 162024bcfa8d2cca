"""``dalil registry list|show|counts|export`` read the registry's persons (made here directly, as
a link run would)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cli.clihelp import Cli
from dalil.db import Database
from registry.store_support import MAPPING, add_persons, record_ids, retire, write_csv

LIST_A = [
    ["محمد بن أحمد الخطيب", "فاطمة", "ذكر", "16/04/1980", "مقتول", "2013-04-16", "دمشق"],
    ["سارة خالد العلي", "مريم", "أنثى", "", "", "", "حلب"],
]
LIST_B = [["محمد أحمد الخطيب", "", "ذكر", "1980", "مقتول", "2013-04", "دمشق"]]


def _setup(cli: Cli, tmp_path: Path) -> tuple[Database, list[str]]:
    from dalil.registry.mapping import save_mapping

    cli.ok("case", "create", "registry", "--title-en", "Registry")
    mapping = tmp_path / "m.yaml"
    save_mapping(MAPPING, mapping)
    imports = []
    for name, rows in (("a", LIST_A), ("b", LIST_B)):
        path = write_csv(tmp_path / f"{name}.csv", rows)
        args = ("lists", "import", str(path), "--source", f"List {name.upper()}")
        imports.append(cli.json(*args, "--mapping", str(mapping))["import_id"])
    assert cli.url is not None
    db = Database(cli.url)
    a, b = record_ids(db, imports[0]), record_ids(db, imports[1])
    case_id = cli.json("case", "show", "registry")["id"]
    persons = add_persons(db, case_id, [[a[0], b[0]], [a[1]]])
    return db, persons


def test_list_show_counts_export(cli: Cli, tmp_path: Path) -> None:
    db, persons = _setup(cli, tmp_path)
    try:
        listed = cli.json("registry", "list")
        assert {p["id"] for p in listed} == set(persons)
        table = cli.ok("registry", "list").out
        assert "محمد أحمد الخطيب" in table
        assert "2 on 2 list(s)" in table
        assert [p["id"] for p in cli.json("registry", "list", "--q", "سارة")] == [persons[1]]

        shown = cli.json("registry", "show", persons[0])
        assert shown["fields"]["birth_date"]["value"] == "1980-04-16"
        assert len(shown["record_details"]) == 2
        assert "16/04/1980" in cli.ok("registry", "show", persons[0]).out  # the row as written

        counts = cli.json("registry", "counts")
        assert counts["persons"] == 2
        assert counts["by_status"] == {"killed": 1, "unknown": 1}

        out = tmp_path / "registry.csv"
        cli.ok("registry", "export", "--out", str(out))
        with out.open(encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
        assert {r["registry_id"] for r in rows} == set(persons)
        captures = cli.ok("registry", "export", "--captures").out
        table_rows = list(csv.reader(io.StringIO(captures)))
        assert table_rows[0] == ["registry_id", "List A", "List B"]
        assert sorted(r[1:] for r in table_rows[1:]) == [["1", "0"], ["1", "1"]]

        retire(db, persons[1], [persons[0]], "merged")
        moved = cli.json("registry", "show", persons[1])
        assert moved["redirects"] == [{"id": persons[0], "reason": "merged"}]
        assert persons[0] in cli.ok("registry", "show", persons[1]).out
        missing = cli.run("registry", "show", "vic_doesnotexist000")
        assert missing.code == 3
        assert "no registry person" in missing.err
    finally:
        db.dispose()
