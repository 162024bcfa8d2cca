"""Chains of command on a date, over the FICTIONAL training case, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from dalil.accountability import (
    add_posting,
    add_unit,
    chain,
    incident_chains,
    load,
    parse_on,
    relate_units,
    unit_tree,
    units_at,
)
from dalil.db import Database, Incident
from dalil.demo import build
from dalil.demo.training import TrainingResult
from dalil.documentation import NameInput, add_claim, add_person, create, get_case
from dalil.errors import NotFound


def _chain(db: Database, training: TrainingResult, unit: str, on: str) -> dict[str, Any]:
    with db.reader() as session:
        data = load(session, get_case(session, "training-fictional"))
        return chain(data, training.unit_ids[unit], parse_on(on))


def _commanders(view: dict[str, Any]) -> dict[str, list[str]]:
    return {s["label"]: [p["subject"]["label"] for p in s["commanders"]] for s in view["steps"]}


def test_a_commander_replaced_mid_year_is_named_only_in_his_half(
    db: Database, training: TrainingResult
) -> None:
    spring = _commanders(_chain(db, training, "brigade45", "2013-04-16"))
    autumn = _commanders(_chain(db, training, "brigade45", "2013-09-10"))
    assert spring["Fictional 45th Brigade"] == ["Rami Khalil al-Wahmi"]
    assert autumn["Fictional 45th Brigade"] == ["Nizar Salim al-Wahmi"]
    # The rest of the chain did not change hands.
    for view in (spring, autumn):
        assert view["Fictional 9th Division"] == ["Walid Hasan al-Wahmi"]
        assert view["Fictional Northern Command"] == ["Fadi Yusuf al-Wahmi"]


def test_a_unit_with_two_parents_has_two_paths_to_the_top(
    db: Database, training: TrainingResult
) -> None:
    view = _chain(db, training, "brigade45", "2013-04-16")
    paths = sorted(tuple(u["label"] for u in p["units"]) for p in view["paths"])
    assert paths == [
        ("Fictional 45th Brigade", "Fictional 9th Division", "Fictional Northern Command"),
        ("Fictional 45th Brigade", "Fictional Branch 900"),
    ]
    # Before the second parent is first cited (2013-03), only the division is above the brigade.
    earlier = _chain(db, training, "brigade45", "2012-06-01")
    assert [len(p["units"]) for p in earlier["paths"]] == [3]


def test_conflicting_claims_are_both_kept_and_make_the_path_disputed(
    db: Database, training: TrainingResult
) -> None:
    view = _chain(db, training, "brigade45", "2013-09-10")
    (beta,) = view["steps"][0]["commanders"]
    start_claims = {
        (c["value"], c["status"]) for c in beta["claims"] if c["property"] == "start_date"
    }
    assert start_claims == {("2013-07", "accepted"), ("2013-03", "disputed")}
    assert beta["in_dispute"] is True
    assert beta["status"] == "disputed"
    assert {p["weakest_status"] for p in view["paths"]} == {"disputed"}
    assert all(beta["relation_id"] in p["weakest_links"] for p in view["paths"])
    # In spring, the brigade's commander is undisputed: the weakest status is 'unverified'.
    spring = _chain(db, training, "brigade45", "2013-04-16")
    assert spring["weakest_status"] == "unverified"
    assert {s["title"] for s in beta["sources"]} == {
        "FICTIONAL training source A: invented unit roster",
        "FICTIONAL training source C: invented press report",
    }


def test_a_last_cited_commander_is_a_candidate_after_his_last_citation(
    db: Database, training: TrainingResult
) -> None:
    view = _chain(db, training, "division9", "2014-06-01")
    (division,) = [s for s in view["steps"] if s["label"] == "Fictional 9th Division"]
    assert division["commanders"] == []
    (candidate,) = division["candidates"]
    assert candidate["subject"]["label"] == "Walid Hasan al-Wahmi"
    assert candidate["why_not_counted"] == "after_last_cited"


def test_an_incident_leads_to_its_units_their_commanders_and_the_chain_above(
    db: Database, training: TrainingResult
) -> None:
    with db.reader() as session:
        data = load(session, get_case(session, "training-fictional"))
        incident = session.get(Incident, training.incident_id)
        assert incident is not None
        view = incident_chains(session, data, incident, None)
    assert view["on"] == "2013-09-10"
    (person,) = view["persons"]
    assert (person["label"], person["degree"]) == ("Bassam Adel al-Wahmi", "direct_perpetrator")
    assert [p["object"]["label"] for p in person["postings"]] == ["Fictional 45th Brigade"]
    (unit,) = view["units"]
    assert unit["unit"]["label"] == "Fictional 45th Brigade"
    assert sorted(a["via"] for a in unit["allegations"]) == [
        "posting of alleged perpetrator Bassam Adel al-Wahmi",
        "unit alleged",
    ]
    assert _commanders(unit["chain"])["Fictional 45th Brigade"] == ["Nizar Salim al-Wahmi"]
    assert len(unit["chain"]["paths"]) == 2


def test_units_at_a_date_and_the_tree_show_positions_memberships_and_both_parents(
    db: Database, training: TrainingResult
) -> None:
    with db.reader() as session:
        data = load(session, get_case(session, "training-fictional"))
        rows = {r["label"]: r for r in units_at(data, parse_on("2013-09-10"))}
        tree = unit_tree(data)
    brigade = rows["Fictional 45th Brigade"]
    assert {p["kind"] for p in brigade["positions"]} == {"base", "area_of_operations"}
    assert [m["object"]["label"] for m in brigade["memberships"]] == ["Fictional Task Force Delta"]
    assert sorted(p["object"]["label"] for p in brigade["parents"]) == [
        "Fictional 9th Division",
        "Fictional Branch 900",
    ]

    def find(nodes: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
        hits = [n for n in nodes if n.get("label") == label]
        return hits + [h for n in nodes for h in find(n.get("children", []), label)]

    assert len(find(tree, "Fictional 45th Brigade")) == 2


def test_the_tadamon_demo_shows_branch_227_under_military_intelligence_and_no_commander(
    db: Database,
) -> None:
    build(db)
    with db.reader() as session:
        data = load(session, get_case(session, "tadamon"))
        (root,) = [n for n in unit_tree(data) if n["children"]]
        branch = next(u for u in data.units.values() if u.label.startswith("Branch 227"))
        view = chain(data, branch.id, parse_on("2013-04-16"))
    assert root["label"] == "Syrian Military Intelligence"
    assert [c["label"] for c in root["children"]] == ["Branch 227 of Syrian Military Intelligence"]
    assert all(step["commanders"] == [] for step in view["steps"])
    assert view["links"][0]["sources"][0]["title"].startswith("The Guardian")
    assert view["weakest_status"] == "accepted"


def test_an_undated_posting_counts_and_says_its_dates_are_open(db: Database) -> None:
    with db.transaction("tester") as session:
        case = create_case_for_test(session)
        unit = add_unit(
            session, case, {"org_type": "militia", "name_en": "Test militia"}, "militia"
        )
        parent = add_unit(
            session, case, {"org_type": "militia", "name_en": "Test parent"}, "command"
        )
        relate_units(session, case, unit.id, parent.id)
        person = add_person(session, case, [NameInput(full="Test Person")])
        posting = add_posting(session, case, person.id, unit.id)
        source = create(session, case, "source", {"source_type": "other", "title": "test"})
        add_claim(session, case, posting.id, "holds", "true", source.id, status="accepted")
    with db.reader() as session:
        view = chain(load(session, get_case(session, "t")), unit.id, parse_on("2013-04-16"))
        with pytest.raises(NotFound):
            chain(load(session, get_case(session, "t")), person.id, parse_on("2013"))
    (post,) = view["steps"][0]["commanders"]
    assert post["coverage"] == "certain"
    assert {"no start date recorded", "no end date recorded"} <= set(post["caveats"])
    # The parent link has no source at all: the weakest status on the path says so.
    assert view["weakest_status"] == "unsourced"


def create_case_for_test(session: Any) -> Any:
    from dalil.documentation import create_case

    return create_case(session, "t", title_en="test case")
