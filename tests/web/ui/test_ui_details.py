"""Details a reader notices, through real HTTP on SQLite and PostgreSQL: a term typed in Arabic
in the claim form, one line per change in recent activity, the review page's values and the
linkage pages' states in the reader's language, and the page icon served from the package."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from dalil.db import Claim, Database
from dalil.web.ui.pages.linkage import stage_label
from web.ui.ui_support import ORIGIN, World, access_settings, csrf_of, world
from web.ui.work_support import CASE, Lists, home, lists, owner, reviewer, viewer

__all__ = ["access_settings", "home", "lists", "owner", "reviewer", "viewer", "world"]


def test_a_status_typed_by_its_arabic_label_becomes_the_term(
    owner: TestClient, world: World, db: Database
) -> None:
    path = f"{CASE}/persons/{world.public_person}"
    page = owner.get(f"{path}?lang=ar").text
    source = page.split('<select id="claim-source" name="source" required>')[1]
    source_id = source.split('value="src_')[1].split('"')[0]
    source_id = f"src_{source_id}"  # the first source offered (after "choose the source")
    response = owner.post(
        f"{path}/claims",
        data={"property": "status", "value": " مفقود ", "source": source_id,
              "csrf_token": csrf_of(page)},
        headers=ORIGIN,
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    with db.reader() as s:
        claimed = s.scalars(
            select(Claim.value_text).where(
                Claim.subject_id == world.public_person, Claim.property == "status"
            )
        ).all()
    assert "missing" in claimed
    shown = owner.get(f"{path}?lang=ar").text
    assert re.search(r"<td><bdi>مفقود</bdi></td>", shown)  # and reads back in Arabic


def test_recent_activity_names_a_new_person_once(owner: TestClient, world: World) -> None:
    html = owner.get(CASE).text
    recent = html.split('id="recent-h"')[1]
    link = f'href="{CASE}/persons/{world.restricted_person}"'
    # A person is written as a row of persons and rows of names: one event for the reader.
    assert len(re.findall(rf"Person:\s*<a {re.escape(link)}", recent)) == 1


def test_the_review_page_shows_terms_and_dates_in_the_readers_language(
    reviewer: TestClient, lists: Lists
) -> None:
    arabic = reviewer.get(f"{CASE}/review?lang=ar").text
    pair = arabic.split('<table class="pair">')[1].split("</table>")[0]
    assert re.search(r'data-field="sex">.*?<bdi>(ذكر|أنثى)</bdi>', pair, re.S)
    assert ">male<" not in pair
    assert ">female<" not in pair
    assert "المقارنة" in arabic  # the model's explanation, in words
    assert "same transliteration key" not in arabic


def test_the_lists_page_says_the_run_finished_in_words(owner: TestClient, lists: Lists) -> None:
    html = owner.get(f"{CASE}/lists").text
    assert re.search(r"Latest run:.*?· finished ·", html, re.S)
    assert "آخر تشغيل" in owner.get(f"{CASE}/lists?lang=ar").text
    assert "· done ·" not in html


def test_the_engines_stages_have_messages() -> None:
    assert stage_label("linking 1,234 records (duckdb)") == "Linking the records"
    assert stage_label("linking 3 new records to 10 persons") == "Linking the records"
    assert stage_label("u") == "Learning how often unrelated records agree"
    assert stage_label("cluster") == "Grouping records into persons"
    assert stage_label("unheard-of stage") is None
    assert stage_label("unsure") is None  # "u" names one stage, not every word beginning so


def test_the_page_icon_is_served_from_the_package(owner: TestClient) -> None:
    html = owner.get(CASE).text
    assert '<link rel="icon" href="/static/img/favicon.svg"' in html
    icon = owner.get("/static/img/favicon.svg")
    assert icon.status_code == 200
    assert icon.text.startswith("<svg")


def test_no_source_is_chosen_for_the_writer(owner: TestClient, world: World) -> None:
    """Every claim and every file says where it came from: the writer picks the source, the page
    never preselects one (a slip would cite the wrong source)."""
    person = owner.get(f"{CASE}/persons/{world.public_person}").text
    claim = person.split('<select id="claim-source" name="source" required>')[1].split("</select>")
    assert re.match(r'\s*<option value="" selected>— choose the source —</option>', claim[0])
    evidence = owner.get(f"{CASE}/evidence").text
    upload = evidence.split('<select id="upload-source" name="source" required>')[1]
    assert re.match(r'\s*<option value="" selected>', upload)
    assert upload.split("</select>")[0].count(" selected") == 1


def test_an_engines_refusal_on_an_arabic_page_is_introduced_and_marked_english(
    owner: TestClient, world: World
) -> None:
    path = f"{CASE}/persons/{world.public_person}"
    page = owner.get(f"{path}?lang=ar").text
    source = "src_" + page.split('value="src_')[1].split('"')[0]
    refused = owner.post(
        f"{path}/claims",
        data={"property": "age", "value": "-3", "source": source, "csrf_token": csrf_of(page)},
        headers=ORIGIN,
    )
    assert refused.status_code == 422
    alert = re.search(r'<p class="error" role="alert" id="form-error">(.*?)</p>', refused.text)
    assert alert is not None
    assert alert.group(1).startswith('بكلمات النظام (بالإنجليزية): <bdi lang="en" dir="ltr">')
    english = owner.post(
        f"{path}/claims?lang=en",
        data={"property": "age", "value": "-3", "source": source, "csrf_token": csrf_of(page)},
        headers=ORIGIN,
    )
    assert "بكلمات النظام" not in english.text
    assert "<bdi lang=" not in english.text.split('id="form-error">')[1].split("</p>")[0]


def test_a_viewer_sees_older_public_activity_behind_many_restricted_changes(
    viewer: TestClient, world: World, db: Database
) -> None:
    from dalil.documentation import NameInput, add_person, get_case

    with db.transaction("op") as s:
        case = get_case(s, "tadamon")
        for n in range(130):  # more changes than the page looks through at once
            add_person(s, case, [NameInput(full=f"Restricted person {n}")])
    recent = viewer.get(CASE).text.split('id="recent-h"')[1]
    assert "Nothing yet." not in recent
    assert f'href="{CASE}/persons/{world.public_person}"' in recent
    assert "Restricted person" not in recent
