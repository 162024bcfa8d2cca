"""``dalil demo``: the Tadamon case, built the same way every time, true to its sources.

The demo is what a newcomer, a funder or a journalist sees first. It must build on both databases,
change nothing when built again, carry every public figure with the source that published it,
keep the disputed victim counts side by side, and name no real person but the publicly named
alleged perpetrator: everyone else is synthetic (family name المثال, "the example").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cli.clihelp import Cli, dump
from dalil.db import Claim, Database, Person, PersonName, Source, stable_id
from dalil.demo import load_data

SYNTHETIC_FAMILY = "المثال"
TADAMON = stable_id("case", "tadamon")  # the demo home also holds the fictional training case
# The demo is seeded, so these totals change only when its data does: 39 public and named-synthetic
# claims, plus one "killed" claim per list that documents each synthetic victim (180).
DEMO_CLAIMS = 219
SYNTHETIC_PERSONS = 134  # 12 named + 122 victims documented by at least one of lists A, B, C
PERPETRATOR = "Amjad Youssef"


@pytest.fixture
def incident(cli: Cli, tmp_path: Path, db_url: str) -> str:
    """The demo built in the test database; returns the Tadamon incident's ID."""
    built = cli.ok("demo", "--home", str(tmp_path / "demo"), "--database-url", db_url, "--quiet")
    assert "Tadamon demo built" in built.out
    (only,) = cli.json("incident", "list", "--case", "tadamon")
    return str(only["id"])


def _by_label(relations: list[dict[str, Any]], relation_type: str) -> dict[str, dict[str, Any]]:
    return {r["other"]["label"]: r for r in relations if r["type"] == relation_type}


def test_demo_builds_in_sqlite_under_its_home_and_leaves_the_configured_database_alone(
    cli: Cli, tmp_path: Path, db_url: str
) -> None:
    before = dump(db_url)
    home = tmp_path / "tadamon-demo"
    result = cli.ok("demo", "--home", str(home), "--quiet")
    assert result.out.startswith("Tadamon demo built in")
    assert (home / "dalil.db").is_file()
    assert dump(db_url) == before

    cli.setenv("DALIL_DATABASE_URL", f"sqlite:///{home / 'dalil.db'}")
    assert [c["slug"] for c in cli.json("case", "list")] == ["tadamon", "training-fictional"]


def test_demo_prints_the_summary_and_where_to_look_next(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(monkeypatch, capsys, tmp_path, None)  # the demo has its own SQLite database
    home = tmp_path / "demo-home"
    cli.setenv("DALIL_DEMO_HOME", str(home))  # no --home: the setting decides
    out = cli.ok("demo").out
    assert f"Tadamon demo built in {home}" in out
    assert "Tadamon massacre (Damascus, 16 April 2013)" in out
    assert f"{DEMO_CLAIMS} (5 disputed)" in out
    assert f"export DALIL_HOME={home}" in out
    assert "dalil incident show inc_" in out
    assert (home / "dalil.db").is_file()


def test_building_the_demo_twice_changes_nothing(cli: Cli, tmp_path: Path, db_url: str) -> None:
    args = ("demo", "--home", str(tmp_path / "demo"), "--database-url", db_url, "--quiet")
    assert "Tadamon demo built" in cli.ok(*args).out
    first = dump(db_url)
    assert sum(1 for row in first["claims"] if TADAMON in row) == DEMO_CLAIMS

    again = cli.ok(*args)
    assert "already built; nothing changed" in again.out
    assert dump(db_url) == first


def test_the_incident_is_dated_and_placed(cli: Cli, incident: str) -> None:
    fields = cli.json("incident", "show", incident)["fields"]
    assert fields["start_date"] == "2013-04-16"
    assert fields["place"] == "Syria › Damascus › al-Tadamon"
    assert "extrajudicial_execution" in [v["id"] for v in fields["violation_types"]]
    ar = cli.json("--lang", "ar", "incident", "show", incident)["fields"]["place"]
    assert ar == "سوريا › دمشق › حي التضامن"


def test_victim_counts_41_and_288_stand_side_by_side_each_with_its_source(
    cli: Cli, incident: str
) -> None:
    groups = {g["property"]: g for g in cli.json("incident", "show", incident)["claims"]}
    counts = groups["victim_count"]
    assert counts["in_dispute"] is True
    assert counts["accepted"] == []
    got = {
        (c["value"], c["qualifier"], c["source"]["publisher"] or c["source"]["author"], c["status"])
        for c in counts["claims"]
    }
    assert len(counts["claims"]) == 4
    assert got == {
        (
            41,
            "at_least",
            "17 Syrian organisations, incl. SNHR, The White Helmets, "
            "Caesar Families Association, Families for Freedom",
            "disputed",
        ),
        (41, "approximately", "Syrian Observatory for Human Rights (SOHR)", "disputed"),
        (41, "exact", "Syrian National Coalition", "disputed"),
        (288, "exact", "Arab News", "disputed"),
    }
    sources = {c["source"]["id"] for c in counts["claims"]}
    for source in sources:  # each cited source can be opened
        assert cli.json("source", "show", source)["kind"] == "source"


def test_incident_show_table_puts_the_figures_and_their_qualifiers_in_view(
    cli: Cli, incident: str
) -> None:
    table = cli.ok("incident", "show", incident).out
    for expected in ("41", "288", "At least 41", "Approximately 41", "Arab News"):
        assert expected in table
    assert "Syrian National Coalition" in table
    assert "in dispute" in table


def test_alleged_perpetrators_investigations_and_the_chain_of_command(
    cli: Cli, incident: str
) -> None:
    relations = cli.json("incident", "show", incident)["relations"]
    perpetrators = _by_label(relations, "alleged_perpetrator_in")
    assert set(perpetrators) == {PERPETRATOR, "Branch 227 of Syrian Military Intelligence"}
    assert perpetrators[PERPETRATOR]["attributes"] == {
        "degree_of_involvement": "direct_perpetrator"
    }
    assert set(_by_label(relations, "investigates")) == {
        "French judicial authorities",
        "Dutch judicial authorities",
        "German judicial authorities",
    }

    branch = perpetrators["Branch 227 of Syrian Military Intelligence"]["other"]["id"]
    parents = [
        r for r in cli.json("org", "show", branch)["relations"] if r["type"] == "parent_unit_of"
    ]
    assert [(p["direction"], p["other"]["label"]) for p in parents] == [
        ("in", "Syrian Military Intelligence")
    ]


def test_every_person_but_the_named_perpetrator_is_synthetic(db_url: str, incident: str) -> None:
    db = Database(db_url)
    try:
        with db.reader() as session:
            synthetic_lists = set(
                session.scalars(
                    select(Source.id).where(
                        Source.title.startswith("SYNTHETIC"), Source.source_type == "list"
                    )
                )
            )
            assert len(synthetic_lists) == 3
            real, synthetic = [], []
            for person in session.scalars(select(Person).where(Person.case_id == TADAMON)):
                primary = person.names[0]
                if primary.family == SYNTHETIC_FAMILY:
                    synthetic.append(person)
                else:
                    real.append({n.full for n in person.names})
            assert real == [{PERPETRATOR, "أمجد يوسف"}]
            assert len(synthetic) == SYNTHETIC_PERSONS
            for person in synthetic:
                claims = session.scalars(select(Claim).where(Claim.subject_id == person.id)).all()
                assert claims, f"{person.id} has no claim"
                assert {c.source_id for c in claims} <= synthetic_lists
                assert person.sensitivity == "restricted"
            variants = session.scalars(
                select(PersonName.full).where(PersonName.kind == "variant")
            ).all()
            assert all("mithal" in v.casefold() for v in variants)
    finally:
        db.dispose()


def test_every_claim_rests_on_a_live_source_of_the_same_case(db_url: str, incident: str) -> None:
    db = Database(db_url)
    try:
        with db.reader() as session:
            claims = session.scalars(select(Claim).where(Claim.case_id == TADAMON)).all()
            assert len(claims) == DEMO_CLAIMS
            for claim in claims:
                source = session.get(Source, claim.source_id)
                assert source is not None, claim.id
                assert source.deleted_at is None
                assert source.case_id == claim.case_id
    finally:
        db.dispose()


def test_the_demo_file_names_no_real_person_but_the_alleged_perpetrator() -> None:
    data = load_data()
    named = [
        {name.get("full") or name.get("family") for name in person["names"]}
        for person in data["persons"].values()
    ]
    assert named == [{PERPETRATOR, "أمجد يوسف"}]
    assert data["synthetic_persons"]
    for person in data["synthetic_persons"]:
        assert person["family"] == SYNTHETIC_FAMILY, person
        for other in person.get("other_names", []):
            assert "mithal" in other.casefold(), other
    # The synthetic list says it is fictional, where every synthetic claim points.
    assert "fictional" in data["sources"]["synthetic_list"]["title"]
