"""``dalil case|place|incident|person|org|source|claim|relation`` and a record's life, end to end.

Every test runs the command in-process on SQLite and on PostgreSQL and checks what a user reads:
the JSON a script pipes on, or the table a person looks at.
"""

from __future__ import annotations

import json
import re

from cli.clihelp import ARAB_NEWS_TITLE, SNC_TITLE, Cli, dump, seed


def _claims(cli: Cli, ids: dict[str, str]) -> tuple[str, str]:
    """41 victims per the SNC and 288 per Arab News, both disputed."""
    low = cli.new_id(
        "claim", "add", ids["incident"], "victim_count", "41",
        "--source", ids["snc"], "--status", "disputed",
    )  # fmt: skip
    high = cli.new_id(
        "claim", "add", ids["incident"], "victim_count", "288",
        "--source", ids["arabnews"], "--status", "disputed",
    )  # fmt: skip
    return low, high


def test_case_create_list_and_show_counts(cli: Cli) -> None:
    ids = seed(cli)
    cli.ok("relation", "add", "victim_of", ids["person"], ids["incident"])
    _claims(cli, ids)

    assert cli.json("case", "list") == [
        {
            "slug": "tadamon",
            "id": ids["case"],
            "title_en": "Tadamon massacre",
            "title_ar": "مجزرة التضامن",
        }
    ]
    summary = cli.json("case", "show", "tadamon")
    assert summary["records"] == {
        "place": 2,
        "source": 2,
        "incident": 1,
        "person": 1,
        "organisation": 1,
        "relation": 1,
    }
    assert summary["persons_by_status"] == {"unknown": 1}
    assert (summary["claims"], summary["disputed_claims"]) == (2, 2)
    assert summary["incidents"] == [
        {"id": ids["incident"], "label": "Tadamon massacre", "start_date": "2013-04-16"}
    ]
    shown = cli.ok("case", "show", "tadamon").out
    assert "2 (2 disputed)" in shown
    assert "2013-04-16  Tadamon massacre" in shown


def test_a_duplicate_case_slug_is_refused(cli: Cli) -> None:
    cli.ok("case", "create", "tadamon", "--title-en", "Tadamon")
    again = cli.run("case", "create", "tadamon", "--title-en", "Tadamon again")
    assert again.code == 2
    assert "exists already" in again.err
    assert [c["title_en"] for c in cli.json("case", "list")] == ["Tadamon"]


def test_places_list_with_their_path_in_either_language(cli: Cli) -> None:
    ids = seed(cli)
    places = {p["id"]: p for p in cli.json("place", "list")}
    assert places[ids["syria"]] == {"id": ids["syria"], "label": "Syria", "path": "Syria"}
    assert places[ids["damascus"]]["path"] == "Syria › Damascus"
    arabic = {p["id"]: p for p in cli.json("--lang", "ar", "place", "list")}
    assert arabic[ids["damascus"]]["path"] == "سوريا › دمشق"


def test_incident_add_show_and_list(cli: Cli) -> None:
    ids = seed(cli)
    view = cli.json("incident", "show", ids["incident"])
    assert view["case"] == "tadamon"
    assert view["created"]["by"] == "tester"
    fields = view["fields"]
    assert fields["start_date"] == "2013-04-16"
    assert fields["place"] == "Syria › Damascus"
    assert fields["place_id"] == ids["damascus"]
    assert [v["id"] for v in fields["violation_types"]] == ["extrajudicial_execution"]
    assert (fields["title_en"], fields["title_ar"]) == ("Tadamon massacre", "مجزرة التضامن")

    assert cli.json("incident", "list") == [
        {"id": ids["incident"], "label": "Tadamon massacre", "start_date": "2013-04-16"}
    ]
    table = cli.ok("incident", "show", ids["incident"]).out
    assert "Extrajudicial execution" in table
    assert "Syria › Damascus" in table
    # A unique prefix of the ID is enough to find it.
    assert cli.json("incident", "show", ids["incident"][:10])["id"] == ids["incident"]


def test_person_add_and_search_folds_arabic_spelling(cli: Cli) -> None:
    ids = seed(cli)
    hits = cli.json("person", "search", "احمد")  # no hamza: still finds أحمد
    assert [(h["id"], h["matched"]) for h in hits] == [(ids["person"], "أحمد المثال")]
    latin = cli.json("person", "search", "ahmad mithal")
    assert [(h["id"], h["matched"]) for h in latin] == [(ids["person"], "Ahmad al-Mithal")]
    assert cli.json("person", "search", "محمود") == []

    names = cli.json("person", "show", ids["person"])["fields"]["names"]
    assert [(n["kind"], n["script"], n["full"]) for n in names] == [
        ("primary", "arab", "أحمد المثال"),
        ("variant", "latn", "Ahmad al-Mithal"),
    ]
    assert (names[0]["given"], names[0]["family"]) == ("أحمد", "المثال")
    # The label follows the reader's language when the person has a name in that script.
    assert cli.json("--lang", "ar", "person", "search", "Ahmad")[0]["name"] == "أحمد المثال"
    assert cli.json("person", "search", "Ahmad")[0]["name"] == "Ahmad al-Mithal"


def test_org_add_show_and_list(cli: Cli) -> None:
    ids = seed(cli)
    view = cli.json("org", "show", ids["branch"])
    assert view["fields"]["org_type"] == "intelligence_branch"
    assert view["fields"]["abbreviation"] == "B227"
    assert view["fields"]["name_ar"] == "الفرع 227"
    assert cli.json("org", "list") == [{"id": ids["branch"], "label": "Branch 227"}]
    assert cli.json("--lang", "ar", "org", "list") == [{"id": ids["branch"], "label": "الفرع 227"}]


def test_source_show_and_list(cli: Cli) -> None:
    ids = seed(cli)
    view = cli.json("source", "show", ids["arabnews"])
    assert view["fields"]["title"] == ARAB_NEWS_TITLE
    assert view["fields"]["publisher"] == "Arab News"
    assert view["fields"]["published"] == "2022"
    listed = {s["id"]: s["label"] for s in cli.json("source", "list")}
    assert listed == {ids["snc"]: SNC_TITLE, ids["arabnews"]: ARAB_NEWS_TITLE}


def test_conflicting_claims_are_shown_side_by_side_with_their_sources(cli: Cli) -> None:
    ids = seed(cli)
    low, high = _claims(cli, ids)

    table = cli.ok("incident", "show", ids["incident"]).out
    assert re.search(r"│\s*41\s*│\s*Disputed\s*│", table), table
    assert re.search(r"│\s*288\s*│\s*Disputed\s*│", table), table
    assert SNC_TITLE in table
    assert ARAB_NEWS_TITLE in table
    assert "in dispute" in table

    groups = cli.json("claim", "list", ids["incident"])
    assert [g["property"] for g in groups] == ["victim_count"]
    assert groups[0]["in_dispute"] is True
    assert groups[0]["accepted"] == []
    claims = {c["id"]: c for c in groups[0]["claims"]}
    assert (claims[low]["value"], claims[low]["source"]["id"]) == (41, ids["snc"])
    assert (claims[high]["value"], claims[high]["source"]["id"]) == (288, ids["arabnews"])
    assert {c["status"] for c in claims.values()} == {"disputed"}
    assert claims[low]["author"] == "tester"


def test_numeric_claims_keep_their_qualifier(cli: Cli) -> None:
    ids = seed(cli)
    cli.ok(
        "claim", "add", ids["incident"], "victim_count", "٤١",  # Arabic-Indic digits
        "--source", ids["snc"], "--qualifier", "at_least",
    )  # fmt: skip
    (claim,) = cli.json("claim", "list", ids["incident"])[0]["claims"]
    assert (claim["value"], claim["qualifier"], claim["shown"]) == (41, "at_least", "At least 41")
    assert claim["status"] == "unverified"


def test_claim_status_change_is_shown_and_recorded(cli: Cli) -> None:
    ids = seed(cli)
    low, _ = _claims(cli, ids)
    done = cli.ok("claim", "status", low, "accepted", "--note", "confirmed by a second list")
    assert f"claim {low} is now accepted" in done.out

    (group,) = cli.json("claim", "list", ids["incident"])
    assert group["accepted"] == ["41"]
    assert group["in_dispute"] is True  # 288 still disagrees
    changes = [c for c in cli.json("history", ids["incident"]) if c["row_id"] == low]
    assert [c["action"] for c in changes] == ["create", "update"]
    assert changes[1]["before"]["status"] == "disputed"
    assert changes[1]["after"]["status"] == "accepted"
    assert changes[1]["after"]["note"] == "confirmed by a second list"


def test_relation_links_a_victim_to_the_incident_both_ways(cli: Cli) -> None:
    ids = seed(cli)
    added = cli.ok("relation", "add", "victim_of", ids["person"], ids["incident"]).out
    assert "Ahmad al-Mithal — Victim of — Tadamon massacre" in added

    (rel,) = cli.json("person", "show", ids["person"])["relations"]
    assert (rel["type"], rel["direction"], rel["label"]) == ("victim_of", "out", "Victim of")
    assert rel["other"] == {"id": ids["incident"], "kind": "incident", "label": "Tadamon massacre"}
    (back,) = cli.json("incident", "show", ids["incident"])["relations"]
    assert (back["direction"], back["label"], back["other"]["id"]) == (
        "in",
        "Victims",
        ids["person"],
    )


def test_relation_attributes_are_kept(cli: Cli) -> None:
    ids = seed(cli)
    cli.ok(
        "relation", "add", "alleged_perpetrator_in", ids["branch"], ids["incident"],
        "--attr", "degree_of_involvement=direct_perpetrator", "--start", "2013-04",
    )  # fmt: skip
    (rel,) = cli.json("org", "show", ids["branch"])["relations"]
    assert rel["attributes"] == {"degree_of_involvement": "direct_perpetrator"}
    assert rel["start_date"] == "2013-04"


def test_set_changes_a_field_and_history_keeps_before_and_after(cli: Cli) -> None:
    ids = seed(cli)
    cli.ok("set", ids["person"], "status=killed", "status_date=2013-04-16")
    fields = cli.json("person", "show", ids["person"])["fields"]
    assert (fields["status"], fields["status_date"]) == ("killed", "2013-04-16")

    history = cli.json("history", ids["person"])
    person_rows = [c for c in history if c["table"] == "persons"]
    assert [c["action"] for c in person_rows] == ["create", "update"]
    assert person_rows[0]["before"] is None
    assert person_rows[0]["after"]["status"] == "unknown"
    assert person_rows[1]["before"] == {"status": "unknown", "status_date": None}
    assert person_rows[1]["after"] == {"status": "killed", "status_date": "2013-04-16"}
    assert {c["actor"] for c in history} == {"tester"}
    # The primary and the variant name were recorded when the person was added.
    assert sorted(c["after"]["full"] for c in history if c["table"] == "person_names") == [
        "Ahmad al-Mithal",
        "أحمد المثال",
    ]


def test_delete_hides_a_record_and_restore_brings_it_back(cli: Cli) -> None:
    ids = seed(cli)
    cli.ok("delete", ids["person"])
    gone = cli.run("person", "show", ids["person"])
    assert gone.code == 3
    assert "no person" in gone.err
    assert cli.json("person", "search", "احمد") == []
    assert cli.json("case", "show", "tadamon")["records"].get("person", 0) == 0

    cli.ok("restore", ids["person"])
    assert cli.json("person", "show", ids["person"])["deleted"] is False
    assert len(cli.json("person", "search", "احمد")) == 1
    actions = [c["action"] for c in cli.json("history", ids["person"]) if c["table"] == "persons"]
    assert actions == ["create", "delete", "restore"]


def test_purge_refuses_a_live_record(cli: Cli, db_url: str) -> None:
    ids = seed(cli)
    before = dump(db_url)
    refused = cli.run("purge", ids["person"], "--yes", "--reason", "entered in error")
    assert refused.code == 2
    assert "delete it first" in refused.err
    assert dump(db_url) == before


def test_purge_removes_the_person_for_good_and_keeps_only_that_it_happened(
    cli: Cli, db_url: str
) -> None:
    ids = seed(cli)
    cli.ok("relation", "add", "victim_of", ids["person"], ids["incident"])
    cli.ok("claim", "add", ids["person"], "status", "killed", "--source", ids["snc"])
    cli.ok("delete", ids["person"])

    done = cli.ok("purge", ids["person"], "--yes", "--reason", "witness identity, entered in error")
    assert ids["person"] in done.out
    assert "purged 3 record(s)" in done.out  # the person, the relation and the claim

    assert cli.run("restore", ids["person"]).code == 3
    assert cli.json("incident", "show", ids["incident"])["relations"] == []
    history = cli.json("history", ids["person"])
    purges = [c for c in history if c["action"] == "purge"]
    assert purges
    assert {c["reason"] for c in purges} == {"witness identity, entered in error"}
    assert all(c["before"] is None and c["after"] is None for c in history)
    # Nowhere in the database, history included, is the name any more.
    everything = json.dumps(dump(db_url), ensure_ascii=False, default=str)
    assert "أحمد" not in everything
    assert "Mithal" not in everything


def test_json_of_every_read_command_parses_and_keeps_arabic(cli: Cli) -> None:
    cli.setenv("DALIL_ACTOR", "باحثة")  # so `config` and `history` have Arabic to show
    ids = seed(cli)
    _claims(cli, ids)
    expected = {
        ("case", "list"): "مجزرة التضامن",
        ("case", "show", "tadamon"): "مجزرة التضامن",
        ("--lang", "ar", "place", "list"): "سوريا › دمشق",
        ("incident", "show", ids["incident"]): "مجزرة التضامن",
        ("--lang", "ar", "incident", "list"): "مجزرة التضامن",
        ("person", "show", ids["person"]): "أحمد المثال",
        ("person", "search", "احمد"): "أحمد المثال",
        ("org", "show", ids["branch"]): "الفرع 227",
        ("--lang", "ar", "org", "list"): "الفرع 227",
        ("source", "show", ids["snc"]): SNC_TITLE,
        ("source", "list"): SNC_TITLE,
        ("claim", "list", ids["incident"]): SNC_TITLE,
        ("history", ids["person"]): "أحمد",
        ("config",): "باحثة",
    }
    for command, arabic in expected.items():
        result = cli.ok(*command, "--json")
        json.loads(result.out)  # raises if the output is not JSON
        assert arabic in result.out, f"{command}: {arabic!r} not printed as is"
        assert "\\u06" not in result.out, f"{command}: Arabic escaped"


def test_commands_take_the_only_case_then_dalil_case_then_case_option(cli: Cli) -> None:
    ids = seed(cli)  # one case: no --case needed
    assert cli.json("incident", "list")[0]["id"] == ids["incident"]

    cli.ok("case", "create", "hama-1982", "--title-en", "Hama")
    which = cli.run("incident", "add", "--title-en", "Shelling")
    assert which.code == 2
    assert "which case? there are 2" in which.err
    assert "DALIL_CASE" in which.err

    cli.setenv("DALIL_CASE", "hama-1982")
    shelling = cli.new_id("incident", "add", "--title-en", "Shelling", "--start", "1982-02")
    assert [i["id"] for i in cli.json("incident", "list")] == [shelling]
    assert cli.json("incident", "show", shelling)["case"] == "hama-1982"
    tadamon = cli.json("incident", "list", "--case", "tadamon")  # the option wins over the env
    assert [i["id"] for i in tadamon] == [ids["incident"]]


def test_language_setting_chooses_the_labels(cli: Cli) -> None:
    ids = seed(cli)
    for lang, title in (("en", "Tadamon massacre"), ("ar", "مجزرة التضامن")):
        cli.setenv("DALIL_LANGUAGE", lang)
        assert cli.json("incident", "show", ids["incident"])["label"] == title
    # DALIL_LANGUAGE is now ar; --lang overrides it for one command.
    assert (
        cli.json("--lang", "en", "incident", "show", ids["incident"])["label"] == "Tadamon massacre"
    )
