"""Capture histories from a case: persons on list sources, by sex, year or governorate;
and ``dalil estimate run`` on that case, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dalil.db import Database, Person, Source
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    add_relation,
    claims_about,
    create,
    create_case,
    get_case,
    get_entity,
    soft_delete,
    withdraw,
)
from dalil.errors import InvalidInput, NotFound
from dalil.estimation import case_captures, estimate_case
from estimation.est_cli import EstCli

# Persons per pattern over the three lists (VDC, SNHR, SOHR): 49 persons, 33 on 2+ lists.
PATTERNS = {"110": 8, "101": 6, "011": 5, "111": 4, "100": 10, "010": 9, "001": 7}


@dataclass
class Built:
    case_id: str
    lists: list[str]  # source IDs, in title order: SNHR, SOHR, VDC
    report: str  # a source that is not a list
    incident: str
    first_person: str


def build_case(db: Database) -> Built:
    with db.transaction("tester") as s:
        case = create_case(s, "tadamon", title_en="Tadamon")
        syria = create(s, case, "place", {"place_type": "country", "name_en": "Syria"})
        damascus = create(
            s, case, "place", {"place_type": "governorate", "name_en": "Damascus",
                               "parent_id": syria.id},
        )  # fmt: skip
        tadamon = create(
            s, case, "place", {"place_type": "neighbourhood", "name_en": "al-Tadamon",
                               "parent_id": damascus.id},
        )  # fmt: skip
        incident = create(
            s, case, "incident", {"title_en": "Tadamon massacre", "start_date": "2013-04-16",
                                  "place_id": tadamon.id},
        )  # fmt: skip
        sources = [
            create(s, case, "source", {"source_type": "list", "title": title})
            for title in ("VDC", "SNHR", "SOHR")
        ]
        report = create(s, case, "source", {"source_type": "report", "title": "A report"})
        number = 0
        first = ""
        for pattern, count in PATTERNS.items():
            for _ in range(count):
                number += 1
                sex = "male" if number % 3 else "female"
                year = "2013" if number % 2 else "2014"
                person = add_person(
                    s, case, [NameInput(full=f"Person {number}")],
                    {"sex": sex, "status": "killed", "status_date": year},
                )  # fmt: skip
                first = first or person.id
                for bit, source in zip(pattern, sources, strict=True):
                    if bit == "1":
                        add_claim(s, case, person.id, "status", "killed", source.id)
                add_claim(s, case, person.id, "status", "killed", report.id)
                if number % 4 == 0:
                    add_relation(s, case, "victim_of", person.id, incident.id)
        add_person(s, case, [NameInput(full="On no list")])
        by_title = sorted(sources, key=lambda x: x.title)
        return Built(case.id, [x.id for x in by_title], report.id, incident.id, first)


def test_persons_on_list_sources_make_the_capture_table(db: Database) -> None:
    built = build_case(db)
    with db.reader() as s:
        captures = case_captures(s, get_case(s, "tadamon"))
    assert list(captures.lists) == ["SNHR", "SOHR", "VDC"]  # sorted by title
    assert [i["source_id"] for i in captures.lists.values()] == built.lists
    table = captures.tables[""]
    # patterns were written in VDC, SNHR, SOHR order; the table reads SNHR, SOHR, VDC
    reorder = {p: p[1] + p[2] + p[0] for p in PATTERNS}
    assert table.nonzero() == {reorder[p]: c for p, c in PATTERNS.items()}
    assert (captures.persons, captures.not_on_lists) == (50, 1)


def test_strata_by_sex_year_and_governorate(db: Database) -> None:
    build_case(db)
    with db.reader() as s:
        case = get_case(s, "tadamon")
        by_sex = case_captures(s, case, by="sex")
        by_year = case_captures(s, case, by="year")
        by_place = case_captures(s, case, by="governorate")
    assert {k: t.documented for k, t in by_sex.tables.items()} == {"female": 16, "male": 33}
    assert {k: t.documented for k, t in by_year.tables.items()} == {"2013": 25, "2014": 24}
    assert {k: t.documented for k, t in by_place.tables.items()} == {
        "Damascus": 12,
        "unknown": 37,
    }


def test_withdrawn_claims_and_deleted_sources_do_not_count(db: Database) -> None:
    built = build_case(db)
    with db.transaction("tester") as s:
        case = get_case(s, "tadamon")
        snhr = get_entity(s, built.lists[0], Source)
        soft_delete(s, snhr)
        with pytest.raises(NotFound):
            case_captures(s, case, lists=[built.lists[0], built.lists[1]])
        for claim in claims_about(s, get_entity(s, built.first_person, Person)):
            withdraw(s, claim)
        captures = case_captures(s, case)
    assert list(captures.lists) == ["SOHR", "VDC"]
    # the first person (pattern 110: VDC and SNHR) now cites nothing live
    assert captures.tables[""].documented == 49 - 9 - 1  # the 9 on SNHR alone, and them


def test_a_case_with_fewer_than_two_lists_is_refused(db: Database) -> None:
    with db.transaction("tester") as s:
        case = create_case(s, "empty", title_en="Empty")
        create(s, case, "source", {"source_type": "list", "title": "Only list"})
        with pytest.raises(InvalidInput, match="at least two") as refused:
            case_captures(s, case)
    assert refused.value.hint is not None
    assert "--type list" in refused.value.hint


def test_estimate_case_is_what_the_demo_calls_and_it_stores_the_result(db: Database) -> None:
    build_case(db)
    with db.transaction("tester") as s:
        done = estimate_case(s, get_case(s, "tadamon"), method="loglinear", save_result=True)
    assert done.estimate.documented == 49
    assert done.estimate.total > 49
    assert done.stored_id is not None
    assert done.stored_id.startswith("est_")


def test_estimate_run_on_a_case_from_the_command_line(est_cli: EstCli, db: Database) -> None:
    built = build_case(db)
    quick = ["--iterations", "600", "--burn-in", "200", "--thin", "3", "--chains", "2"]
    out = est_cli.json("estimate", "run", "--case", "tadamon", "--seed", "3", *quick, "--save")
    assert [r["method"] for r in out["results"]] == ["loglinear", "loglinear", "lcmcr"]
    assert out["documented"] == 49
    assert out["source"].startswith("case tadamon: lists SNHR=")
    assert len(out["saved"]) == 3
    listed = est_cli.json("estimate", "list", "--case", "tadamon")
    assert [e["id"] for e in listed] == out["saved"]
    assert all(e["case_id"] == built.case_id for e in listed)

    by_sex = est_cli.json(
        "estimate", "run", "--by", "sex", "--method", "lcmcr", "--seed", "3", *quick
    )
    (result,) = by_sex["results"]
    assert set(result["strata"]) == {"female", "male"}
    assert result["documented"] == 49

    table = est_cli.json("estimate", "captures", "--lists", ",".join(built.lists[:2]))
    assert list(table["lists"]) == ["SNHR", "SOHR"]
    shown = est_cli.ok("estimate", "captures").out
    assert "SNHR, SOHR, VDC" in shown  # pattern 111 spelled out

    refused = est_cli.run("estimate", "run", "--lists", built.report)
    assert refused.code == 2
    assert "at least two" in refused.err
