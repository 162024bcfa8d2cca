"""FollowTheMoney export (public records only, never a confidential value) and the sanctions
cross-reference (names across scripts, with the reasons shown)."""

from __future__ import annotations

import json
from pathlib import Path

from followthemoney import model

from dalil.accountability import add_posting, best_match, export_ftm, load, read_ftm, xref
from dalil.db import Database
from dalil.demo.training import TrainingResult
from dalil.documentation import NameInput, add_person, add_relation, create, get_case

CANARY = "CANARY-7f3a-do-not-export"


def _plant_canaries(db: Database, training: TrainingResult) -> None:
    """A confidential person, organisation and relation, each carrying the canary string."""
    with db.transaction("tester") as session:
        case = get_case(session, "training-fictional")
        brigade = training.unit_ids["brigade45"]
        spy = add_person(session, case, [NameInput(full=f"Informant {CANARY}")],
                         {"sensitivity": "confidential"})  # fmt: skip
        add_posting(session, case, spy.id, brigade, role="member", title=f"title {CANARY}",
                    fields={"sensitivity": "public"})  # fmt: skip
        org = create(session, case, "organisation",
                     {"org_type": "militia", "name_en": f"Unit {CANARY}",
                      "sensitivity": "confidential"})  # fmt: skip
        add_relation(session, case, "parent_unit_of", org.id, brigade,
                     fields={"sensitivity": "public", "note": CANARY})  # fmt: skip
        public = add_person(session, case, [NameInput(full="Public Person")],
                            {"sensitivity": "public"})  # fmt: skip
        add_posting(session, case, public.id, brigade, role="member", rank=CANARY,
                    fields={"sensitivity": "confidential"})  # fmt: skip


def test_export_parses_as_ftm_and_never_contains_a_confidential_value(
    db: Database, training: TrainingResult, tmp_path: Path
) -> None:
    _plant_canaries(db, training)
    out = tmp_path / "case.ftm.json"
    with db.reader() as session:
        result = export_ftm(session, get_case(session, "training-fictional"), out)
    text = out.read_text("utf-8")
    assert CANARY not in text
    assert "confidential insider" not in text  # a confidential source's title
    proxies = [model.get_proxy(json.loads(line)) for line in text.splitlines()]
    by_schema: dict[str, list[str]] = {}
    for proxy in proxies:
        by_schema.setdefault(proxy.schema.name, []).append(proxy.caption)
    assert "Fictional 45th Brigade" in by_schema["PublicBody"]
    assert "Fictional Example Militia" in by_schema["Organization"]
    assert "Nizar Salim al-Wahmi" in by_schema["Person"]
    assert "Public Person" not in by_schema["Person"]  # public, but only linked confidentially
    assert len(by_schema["Occupancy"]) == 5  # five commanders
    (event,) = [p for p in proxies if p.schema.name == "Event"]
    assert event.get("startDate") == ["2013-09-10"]
    involved = set(event.get("involved"))
    assert "dalil-" + training.unit_ids["brigade45"].replace("_", "-") in involved
    ids = {p.id for p in proxies}
    for link in proxies:  # every reference points at an exported entity
        for prop in ("holder", "post", "member", "organization", "subject", "object"):
            if prop in link.schema.properties:
                assert link.get(prop)
                assert set(link.get(prop)) <= ids
    cited = [p for p in proxies if "first cited 2012-05" in " ".join(p.get("description"))]
    assert cited
    assert cited[0].get("startDate") == []  # a first-cited date is not a start date
    assert result.left_out["person"] >= 1
    assert result.left_out["link"] >= 1


def test_a_latin_script_perpetrator_matches_an_arabic_script_sanctioned_name(
    db: Database, training: TrainingResult, tmp_path: Path
) -> None:
    with db.transaction("tester") as session:
        case = get_case(session, "training-fictional")
        latin_only = add_person(session, case, [NameInput(full="Kamal Yusuf al-Wahmi")])
        add_relation(session, case, "alleged_perpetrator_in", latin_only.id,
                     training.incident_id)  # fmt: skip
    sanctions = tmp_path / "sanctions.json"
    rows = [
        {"id": "os-1", "schema": "Person", "properties": {
            "name": ["كمال يوسف الوهمي"], "topics": ["sanction"]}},
        {"id": "os-2", "schema": "Person", "properties": {"name": ["John Smith"]}},
        {"id": "os-3", "schema": "PublicBody",
         "properties": {"name": ["45th Brigade (Fictional)"]}},
        {"id": "os-4", "schema": "Person", "properties": {
            "name": ["Nizar Salim Wahmi"], "birthDate": ["1975-02-01"]}},
    ]  # fmt: skip
    sanctions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    with db.reader() as session:
        data = load(session, get_case(session, "training-fictional"))
        matches = xref(session, data, read_ftm(sanctions))
    by_theirs = {m["theirs"]["id"]: m for m in matches}
    kamal = by_theirs["os-1"]
    assert kamal["ours"] == {
        "id": latin_only.id, "kind": "person", "label": "Kamal Yusuf al-Wahmi",
        "why": "alleged perpetrator",
    }  # fmt: skip
    assert kamal["score"] >= 0.85
    assert kamal["matched_names"] == {"ours": "Kamal Yusuf al-Wahmi", "theirs": "كمال يوسف الوهمي"}
    assert all("across Arabic and Latin script" in r for r in kamal["reasons"])
    assert kamal["theirs"]["topics"] == ["sanction"]
    assert "os-2" not in by_theirs
    # Same words, but Beta's birth year (1968) contradicts this entry's: listed lower, and why.
    beta = by_theirs["os-4"]
    assert beta["score"] < kamal["score"]
    assert "birth dates differ (1968 / 1975-02-01)" in beta["reasons"]
    assert by_theirs["os-3"]["ours"]["kind"] == "unit"
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)


def test_cross_script_matching_explains_itself_word_by_word() -> None:
    match = best_match(["Amjad Youssef"], ["أمجد يوسف"])
    assert match is not None
    assert match.score >= 0.85
    assert match.explain() == [
        "amjad ~ امجد: same consonants across Arabic and Latin script (mjd)",
        "youssef ~ يوسف: same consonants across Arabic and Latin script (ysf)",
    ]
    assert best_match(["Amjad Youssef"], ["أحمد ياسين"]) is None
    together = best_match(["Abdullah al-Mithal"], ["عبد الله المثال"])
    assert together is not None
    assert together.score >= 0.85
    assert "written together" in together.explain()[0]
