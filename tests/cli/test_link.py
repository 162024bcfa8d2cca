"""``dalil link run|pairs|show|review`` end to end: lists imported through the CLI, the real
engine, answers typed at the review prompt (fed on stdin), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from cli.clihelp import Cli
from dalil.cli.link import visual
from dalil.db import Case, Database
from dalil.db.models_registry import LinkJudgement, RegistryMember
from dalil.registry.mapping import save_mapping
from registry.linking_support import GIVEN, MAPPING, people, row, seed_run, write_list
from registry.test_linking import records_of


def seed_lists(cli: Cli, tmp: Path) -> None:
    cli.ok("case", "create", "tadamon", "--title-en", "Tadamon")
    everyone = people(70)
    save_mapping(MAPPING, tmp / "m.yaml")
    write_list(tmp / "a.csv", [row(p, 0) for p in everyone[:60]])
    write_list(tmp / "b.csv", [row(p, 1) for p in everyone[:40] + everyone[60:]])
    for name, source in (("a.csv", "List A"), ("b.csv", "List B")):
        cli.ok("lists", "import", str(tmp / name), "--case", "tadamon", "--source", source,
               "--mapping", str(tmp / "m.yaml"))  # fmt: skip


def feed(cli: Cli, text: str) -> None:
    cli.monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_run_show_and_pairs_with_the_real_engine(cli: Cli, tmp_path: Path) -> None:
    seed_lists(cli, tmp_path)
    run = cli.json("link", "run", "--case", "tadamon")
    assert run["records"] == 110
    assert run["persons"] == run["created"] > 0
    assert not run["incremental"]
    shown = cli.ok("link", "show", run["run_id"]).out
    assert "prior" in shown
    assert "fixed, not tuned" in shown
    assert cli.json("link", "show", run["run_id"])["persons"] == run["persons"]
    pairs = cli.json("link", "pairs", "--case", "tadamon")
    assert pairs["total"] == run["pairs"]
    review = cli.json("link", "pairs", "--case", "tadamon", "--status", "review")
    assert all(p["status"] == "review" for p in review["pairs"])
    assert "Probability" in cli.ok("link", "pairs", "--case", "tadamon").out
    table = cli.ok("link", "run", "--case", "tadamon").out  # nothing new: every ID kept
    assert re.search(rf"IDs kept\s+{run['persons']}\n", table)
    assert "Calibration" in table


def seeded_queue(cli: Cli, tmp: Path) -> tuple[Database, list[tuple[str, str]]]:
    """The lists, and a run whose review pairs are (A row i, B row i) for i = 0, 1, 2."""
    seed_lists(cli, tmp)
    db = Database(cli.url or "")
    with db.reader() as s:
        case_id = s.scalar(select(Case.id).where(Case.slug == "tadamon"))
    assert case_id is not None
    a = records_of(db, case_id, "List A")
    b = records_of(db, case_id, "List B")
    pairs = [(a[0], b[0], 0.45), (a[1], b[1], 0.3), (a[2], b[2], 0.62)]
    seed_run(db, case_id, [(x, y, p, "review") for x, y, p in pairs])
    return db, [(x, y) for x, y, _ in pairs]


def test_a_review_session_saves_judgements_that_the_next_run_applies(
    cli: Cli, tmp_path: Path
) -> None:
    db, pairs = seeded_queue(cli, tmp_path)
    # First shown: p=0.45 (closest to 0.5). "x" is refused, then s + a note; then skip; quit.
    feed(cli, "x\ns\nchecked the mother's name\nk\nq\n")
    session = cli.ok("link", "review", "--case", "tadamon")
    assert "Answer s, d, u, k or q." in session.out
    assert "pair 1 of 3" in session.out
    assert "pair 2 of 3" in session.out
    assert "pair 3 of 3" in session.out  # shown, then q
    assert "Saved 1 judgement(s): 1 same, 0 different, 0 unsure; 1 skipped." in session.out
    assert "dalil link run --case tadamon" in session.out
    with db.reader() as s:
        (judged,) = s.scalars(select(LinkJudgement)).all()
    assert (judged.record_a, judged.record_b) == tuple(sorted(pairs[0]))
    assert (judged.decision, judged.note, judged.actor) == (
        "same", "checked the mother's name", "tester",
    )  # fmt: skip
    applied = cli.json("link", "run", "--case", "tadamon")
    assert (applied["retired"], applied["created"], applied["judgements"]) == (2, 1, 1)
    with db.reader() as s:
        owners = dict(
            s.execute(select(RegistryMember.record_id, RegistryMember.registry_person_id)).all()
        )
    assert owners[pairs[0][0]] == owners[pairs[0][1]]
    assert owners[pairs[2][0]] != owners[pairs[2][1]]
    feed(cli, "u\n\n")  # unsure goes to the back of the queue, and stays in it
    cli.ok("link", "review", "--case", "tadamon", "--limit", "1")
    left = cli.json("link", "pairs", "--case", "tadamon", "--status", "review")["total"]
    assert left == 3
    db.dispose()


def test_review_shows_both_records_side_by_side_with_arabic_right_aligned(
    cli: Cli, tmp_path: Path
) -> None:
    db, _ = seeded_queue(cli, tmp_path)
    db.dispose()
    feed(cli, "k\n")
    out = cli.ok("link", "review", "--case", "tadamon", "--limit", "1").out
    assert "1 skipped" in out
    for label in ("given", "family", "mother", "Model says", "List A row", "List B row"):
        assert label in out
    given_line = next(line for line in out.splitlines() if line.startswith("│ given"))
    arabic, latin = GIVEN[people(70)[0].given]
    assert arabic in given_line
    assert latin in given_line
    assert "≈" in given_line  # one name in two scripts: alike, as the web review shows it
    assert "≈ alike" in out  # the marks are explained under the table
    birth_line = next(line for line in out.splitlines() if line.startswith("│ birth_date"))
    assert "=" in birth_line
    # The Arabic cell is right-aligned: padding before the name, none after it.
    cells = given_line.split("│")
    arabic_cell = next(c for c in cells if arabic in c)
    assert arabic_cell.startswith("  ")
    assert arabic_cell.rstrip().endswith(arabic)
    latin_cell = next(c for c in cells if latin in c)
    assert latin_cell.startswith(" " + latin)  # Latin stays left-aligned
    feed(cli, "k\n")
    flipped = cli.ok("link", "review", "--case", "tadamon", "--limit", "1", "--visual").out
    assert visual(arabic) in flipped


def test_visual_order_reverses_arabic_and_keeps_numbers() -> None:
    assert visual("Samer") == "Samer"
    assert visual("محمد 1980") == "1980 دمحم"
    assert visual("عبد الله") == "هللا دبع"


def test_bad_requests_give_a_message_and_an_exit_code(cli: Cli) -> None:
    cli.ok("case", "create", "empty", "--title-en", "Empty")
    nothing = cli.run("link", "run", "--case", "empty")
    assert nothing.code == 2
    assert "no list records" in nothing.err
    assert "dalil lists import" in nothing.err
    assert cli.run("link", "show", "lnk_doesnotexist0000").code == 3
    bad = cli.run("link", "pairs", "--case", "empty", "--status", "maybe")
    assert bad.code == 2
    assert "--status" in bad.err
    assert "Traceback" not in nothing.output + bad.output
    assert "Nothing to review" in cli.ok("link", "review", "--case", "empty").out
