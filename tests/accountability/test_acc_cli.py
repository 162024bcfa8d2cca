"""``dalil units|command|xref|export ftm`` end to end, on SQLite and PostgreSQL, with --json."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from cli.clihelp import Cli, dump
from dalil.accountability import render_svg
from dalil.db import Change, Database
from dalil.demo.training import build_training


def _seed(cli: Cli) -> dict[str, str]:
    ids = {"case": cli.new_id("case", "create", "cli-test", "--title-en", "CLI test (fictional)")}
    ids["src"] = cli.new_id("source", "add", "--type", "other", "--title", "FICTIONAL roster")
    ids["top"] = cli.new_id(
        "units", "add", "--unit-type", "division", "--name-en", "Top [b]Div[/b]"
    )
    ids["low"] = cli.new_id("units", "add", "--unit-type", "brigade", "--name-en", "Low Brigade")
    ids["rel"] = cli.new_id("units", "relate", ids["low"], ids["top"], "--start", "2010")
    ids["old"] = cli.new_id("person", "add", "--full", "Old Commander")
    ids["new"] = cli.new_id("person", "add", "--full", "New Commander")
    ids["p1"] = cli.new_id(
        "units",
        "post",
        ids["old"],
        ids["low"],
        "--start",
        "2011",
        "--end",
        "2013-06",
        "--rank",
        "Colonel",
    )
    ids["p2"] = cli.new_id(
        "units", "post", ids["new"], ids["low"], "--start", "2013-07", "--first-cited"
    )
    for rel in ("rel", "p1", "p2"):
        cli.ok(
            "claim",
            "add",
            ids[rel],
            "holds",
            "true",
            "--source",
            ids["src"],
            "--status",
            "accepted",
        )
    return ids  # fmt: skip


def test_chain_on_two_dates_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    ids = _seed(cli)
    spring = cli.json("command", "chain", ids["low"], "--on", "2013-04-16")
    autumn = cli.json("command", "chain", ids["low"], "--on", "2013-09")
    assert [p["subject"]["label"] for p in spring["steps"][0]["commanders"]] == ["Old Commander"]
    assert [p["subject"]["label"] for p in autumn["steps"][0]["commanders"]] == ["New Commander"]
    assert autumn["steps"][0]["commanders"][0]["period"]["start_kind"] == "first_cited"
    assert [u["label"] for u in spring["paths"][0]["units"]] == ["Low Brigade", "Top [b]Div[/b]"]
    assert spring["weakest_status"] == "accepted"
    # Stored text is never read as markup; the SVG is drawn (built-in renderer, no graphviz).
    shown = cli.ok(
        "command", "chain", ids["low"], "--on", "2013-04-16", "--svg", str(tmp_path / "c.svg")
    )
    assert "Top [b]Div[/b]" in shown.out
    svg = (tmp_path / "c.svg").read_text("utf-8")
    assert svg.startswith("<svg")
    assert "Old Commander" in svg
    assert "1 source(s)" in svg
    assert "Top [b]Div[/b]" in svg
    tree = cli.json("units", "tree")
    assert tree[0]["label"] == "Top [b]Div[/b]"
    assert tree[0]["children"][0]["label"] == "Low Brigade"
    at = cli.json("units", "at", "2013-04-16")
    counts = {r["label"]: len(r["commanders"]) for r in at}
    assert counts == {"Low Brigade": 1, "Top [b]Div[/b]": 0}


def test_bad_input_is_a_message_not_a_traceback(cli: Cli) -> None:
    ids = _seed(cli)
    for args in (
        ("units", "add", "--unit-type", "battleship", "--name-en", "X"),
        ("units", "post", ids["old"], ids["low"], "--role", "emperor"),
        ("command", "chain", ids["low"], "--on", "April"),
        ("command", "chain", ids["old"], "--on", "2013"),
        ("units", "position", ids["low"], ids["old"]),
    ):
        result = cli.run(*args)
        assert result.code in (2, 3), result.output
        assert "Traceback" not in result.output
        assert "error:" in result.err


def test_profile_export_and_xref_through_the_cli(cli: Cli, db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    try:
        training = build_training(db)
    finally:
        db.dispose()
    cli.setenv("DALIL_CASE", "training-fictional")
    (profile,) = cli.json("command", "profile", "بسام الوهمي")
    assert profile["label"] == "Bassam Adel al-Wahmi"
    assert profile["incidents"][0]["degree"] == "direct_perpetrator"
    assert profile["postings"][0]["rank"] == "Sergeant"
    assert "Abu Adel" in [n["full"] for n in profile["names"]]
    incident = cli.json("command", "incident", training.incident_id)
    assert [u["unit"]["label"] for u in incident["units"]] == ["Fictional 45th Brigade"]

    out = tmp_path / "training.ftm.json"
    summary = cli.json("export", "ftm", "--out", str(out))
    assert summary["entities"] == len(out.read_text("utf-8").splitlines())
    assert summary["rule"].startswith("only public records")
    assert "only public records exported" in cli.ok("export", "ftm", "--out", str(out)).out

    sanctions = tmp_path / "list.json"
    listed = {"id": "x1", "schema": "Person", "properties": {"name": ["نزار سليم الوهمي"]}}
    sanctions.write_text(json.dumps([listed]), "utf-8")
    (match,) = cli.json("xref", "sanctions", str(sanctions))
    assert match["ours"]["label"] == "Nizar Salim al-Wahmi"
    assert "نزار سليم الوهمي" in cli.ok("xref", "sanctions", str(sanctions)).out
    broken = tmp_path / "broken.json"
    broken.write_text("{not json\n", "utf-8")
    assert cli.run("xref", "sanctions", str(broken)).code == 2


def test_training_case_builds_idempotently_and_its_writes_are_in_history(db: Database) -> None:
    first = build_training(db)
    before = dump(db.url)
    again = build_training(db)
    assert (first.created, again.created) == (True, False)
    assert dump(db.url) == before
    with db.reader() as session:
        tables = set(session.scalars(select(Change.table).where(Change.case_id == first.case_id)))
    assert {
        "acc_units",
        "acc_link_details",
        "acc_positionings",
        "acc_positioning_citations",
    } <= tables


def test_the_builtin_svg_renderer_draws_every_unit_and_link() -> None:
    step = {"commanders": [], "candidates": [], "label": "<Unit & Co>"}
    chain = {
        "unit": {"id": "a", "label": "<Unit & Co>"}, "on": "2013",
        "steps": [step | {"id": "a", "depth": 0}, step | {"id": "b", "depth": 1, "label": "B"}],
        "links": [{"subject": {"id": "a"}, "object": {"id": "b"}, "dates": "2010 – …",
                   "sources": [{}, {}], "status": "disputed"}],
    }  # fmt: skip
    svg, how = render_svg(chain, use_graphviz=False)
    assert how == "builtin"
    assert "&lt;Unit &amp; Co&gt;" in svg
    assert "2010 – … · 2 source(s) · disputed" in svg
    assert svg.count("<rect") == 2
