"""Stored estimates: saved with their inputs, listed, shown, and reproduced exactly — through
the engine and the ``dalil estimate`` command, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update

import dalil
from dalil.db import Database
from dalil.db.models_estimation import StoredEstimate
from dalil.estimation import estimate_strata, get_estimate, list_estimates, reproduce, run, save
from dalil.estimation.store import view
from estimation.est_cli import EstCli
from estimation.est_support import KOREA, QUICK, table


def test_an_estimate_is_stored_with_everything_needed_to_repeat_it(db: Database) -> None:
    korea = table(KOREA)
    estimate = run(korea, "lcmcr", seed=99, **QUICK)
    with db.transaction("analyst") as s:
        stored_id = save(s, estimate, {"": korea}, source="korea.csv").id
    with db.reader() as s:
        stored = get_estimate(s, stored_id[:8])
        shown = view(stored)
        again = reproduce(stored)
        everything = list_estimates(s)
    assert [e.id for e in everything] == [stored_id]
    assert shown["method"] == "lcmcr"
    assert shown["seed"] == 99
    assert shown["parameters"]["iterations"] == QUICK["iterations"]
    assert shown["captures"] == {"lists": ["A", "B", "C"], "tables": {"": korea.nonzero()}}
    assert shown["software"]["dalil"] == dalil.__version__
    assert shown["software"]["numpy"] == np.__version__
    assert shown["created_by"] == "analyst"
    assert shown["total"] == estimate.total
    assert again.matches, again.differences
    assert again.again.draws is not None
    assert estimate.draws is not None
    assert np.array_equal(again.again.draws, estimate.draws)


def test_a_changed_figure_is_caught_by_reproduction(db: Database) -> None:
    korea = table(KOREA)
    with db.transaction("analyst") as s:
        stored_id = save(s, run(korea, "loglinear"), {"": korea}, source="korea.csv").id
    with db.transaction("someone") as s:
        s.execute(update(StoredEstimate).where(StoredEstimate.id == stored_id).values(total=288))
    with db.reader() as s:
        again = reproduce(get_estimate(s, stored_id))
    assert not again.matches
    assert again.differences == [f"estimate: stored 288.0, now {again.again.total}"]


def _korea_file(tmp_path: Path) -> Path:
    path = tmp_path / "korea.csv"
    path.write_text(table(KOREA).to_csv(), encoding="utf-8")
    return path


def test_counts_save_show_and_reproduce_from_the_command_line(
    est_cli: EstCli, tmp_path: Path
) -> None:
    korea = _korea_file(tmp_path)
    out = est_cli.json(
        "estimate", "counts", str(korea), "--method", "loglinear", "--model", "12,23", "--save"
    )
    (result,) = out["results"]
    assert result["total"] == pytest.approx(157.1667, abs=0.01)
    assert result["documented"] == 123
    (saved,) = out["saved"]

    shown = est_cli.json("estimate", "show", saved)
    assert shown["source"] == "korea.csv"
    assert shown["parameters"]["model"] == "12,23"
    assert shown["result"]["diagnostics"]["model"] == "[A:B, B:C]"

    again = est_cli.ok("estimate", "show", saved[:10], "--reproduce").out
    assert "reproduced: the same figure" in again
    assert "157" in again

    listed = est_cli.json("estimate", "list")
    assert [(e["id"], e["method"], e["case_id"]) for e in listed] == [(saved, "loglinear", None)]


def test_counts_prints_methods_side_by_side_and_writes_plots(
    est_cli: EstCli, tmp_path: Path
) -> None:
    korea = _korea_file(tmp_path)
    plots = tmp_path / "plots"
    args = ["--seed", "1", "--iterations", "600", "--burn-in", "200", "--thin", "3"]
    shown = est_cli.ok(
        "estimate", "counts", str(korea), "--pair", "A,B", *args, "--plots", str(plots)
    ).out
    for expected in ("Chapman (A, B)", "log-linear main effects", "log-linear stepwise", "LCMCR"):
        assert expected in shown
    assert "142" in shown  # main effects, 141.99
    assert "documented" in shown
    assert "undocumented" in shown
    pngs = sorted(p.name for p in plots.glob("*.png"))
    assert pngs == [
        "estimate-comparison.png",
        "estimate-lcmcr-k-10-posterior.png",
        "estimate-lcmcr-k-10-trace.png",
    ]
    assert all((plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in pngs)


def test_bad_input_ends_with_a_message_and_an_exit_code(est_cli: EstCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("pattern,count\n10,5\n10,-2\n", encoding="utf-8")
    refused = est_cli.run("estimate", "counts", str(bad))
    assert refused.code == 2
    assert "line 3" in refused.err
    assert "negative" in refused.err
    missing = est_cli.run("estimate", "counts", str(tmp_path / "nowhere.csv"))
    assert missing.code == 2
    assert "cannot be read" in missing.err
    unknown = est_cli.run("estimate", "show", "est_nothingatall")
    assert unknown.code == 3
    assert "no estimate" in unknown.err
    method = est_cli.run("estimate", "counts", str(_korea_file(tmp_path)), "--method", "magic")
    assert method.code == 2
    assert "magic" in method.err
    assert "Traceback" not in refused.err + missing.err + unknown.err + method.err


def test_stratified_runs_are_stored_and_reproduced_whole(db: Database) -> None:
    strata = {"men": table("110:20 101:12 011:9 111:6 100:40 010:33 001:25"),
              "women": table("110:8 101:5 011:4 111:3 100:15 010:12 001:11")}  # fmt: skip
    result = estimate_strata(strata, "lcmcr", "sex", seed=4, **QUICK)
    with db.transaction("analyst") as s:
        stored_id = save(s, result, strata, source="by-sex.csv").id
    with db.reader() as s:
        stored = get_estimate(s, stored_id)
        again = reproduce(stored)
    assert stored.stratified_by == "sex"
    assert set(stored.result["strata"]) == {"men", "women"}
    assert stored.documented == 145 + 58
    assert again.matches, again.differences


def test_a_stratified_csv_is_estimated_per_stratum_and_summed(
    est_cli: EstCli, tmp_path: Path
) -> None:
    path = tmp_path / "by-year.csv"
    path.write_text(
        "stratum,pattern,count\n2012,110,20\n2012,101,12\n2012,011,9\n2012,100,40\n"
        "2013,110,8\n2013,101,5\n2013,011,4\n2013,010,12\n",
        encoding="utf-8",
    )
    out = est_cli.json("estimate", "counts", str(path), "--method", "chapman", "--pair", "A,B")
    (result,) = out["results"]
    assert result["by"] == "stratum"
    assert set(result["strata"]) == {"2012", "2013"}
    assert result["total"] == pytest.approx(sum(s["total"] for s in result["strata"].values()))
