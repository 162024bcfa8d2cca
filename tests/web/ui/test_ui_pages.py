"""The interface's pages, through real HTTP on SQLite and PostgreSQL: login, case choice,
dashboard, incident, person, search, administration, and what a viewer's HTML never holds."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from dalil.access import AccessSettings
from dalil.db import Database
from dalil.web.ui.pages.auth import safe_next
from web.ui.ui_support import (
    CANARY,
    ORIGIN,
    World,
    access_settings,
    browser,
    csrf_of,
    owner,
    viewer,
    world,
)

__all__ = ["access_settings", "owner", "viewer", "world"]

CASE = "/cases/tadamon"


def test_pages_send_a_visitor_to_the_login_form(
    db: Database, world: World, access_settings: AccessSettings
) -> None:
    with browser(db, access_settings) as client:
        response = client.get(f"{CASE}/search?q=x", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/cases/tadamon/search%3Fq%3Dx"
        assert "CANARY" not in response.text


def test_a_wrong_password_is_refused_without_saying_what_was_wrong(
    db: Database, world: World, access_settings: AccessSettings
) -> None:
    with browser(db, access_settings) as client:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={
                "name": "owner",
                "password": "not-the-password",
                "csrf_token": csrf_of(form.text),
            },
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert response.status_code == 401
        assert "Wrong name, password or code" in response.text
        assert client.get(CASE, follow_redirects=False).status_code == 303  # still logged out


def test_login_leads_to_the_users_cases_and_the_dashboard(owner: TestClient) -> None:
    cases = owner.get("/cases")
    assert cases.status_code == 200
    assert 'href="/cases/tadamon"' in cases.text
    assert 'href="/cases/other"' not in cases.text  # no role there
    dashboard = owner.get(CASE)
    assert dashboard.status_code == 200
    assert "Tadamon massacre" in dashboard.text
    assert "Recent activity" in dashboard.text


def test_a_case_without_a_role_answers_404(viewer: TestClient, world: World) -> None:
    assert viewer.get("/cases/other").status_code == 404
    assert viewer.get(f"/cases/other/incidents/{world.other_incident}").status_code == 404
    assert viewer.get(f"{CASE}/incidents/{world.other_incident}").status_code == 404
    assert viewer.get("/cases/nonexistent").status_code == 404


def test_a_viewer_never_receives_what_the_role_may_not_read(
    viewer: TestClient, owner: TestClient, world: World
) -> None:
    pages = [
        CASE,
        f"{CASE}/incidents/{world.public_incident}",
        f"{CASE}/persons/{world.public_person}",
        f"{CASE}/search?q=أحمد",
        f"{CASE}/search?q=Witness",
    ]
    for path in pages:
        response = viewer.get(path)
        assert response.status_code == 200, path
        assert CANARY not in response.text, path
        assert "أحمد المصري" not in response.text, path  # a restricted person
    for hidden in (world.secret_person, world.restricted_person):
        assert viewer.get(f"{CASE}/persons/{hidden}").status_code == 404
    # The owner's pages do hold the planted values: the checks above could fail.
    assert CANARY in owner.get(f"{CASE}/persons/{world.public_person}").text
    assert CANARY in owner.get(f"{CASE}/search?q=أحمد").text
    assert CANARY in owner.get(f"{CASE}/incidents/{world.public_incident}").text


def test_the_viewer_sees_no_edit_form_and_cannot_post_a_claim(
    viewer: TestClient, world: World
) -> None:
    page = viewer.get(f"{CASE}/persons/{world.public_person}")
    assert "Add a claim" not in page.text
    response = viewer.post(
        f"{CASE}/persons/{world.public_person}/claims",
        data={
            "property": "age",
            "value": "30",
            "source": "src_x",
            "csrf_token": csrf_of(page.text),
        },
        headers=ORIGIN,
    )
    assert response.status_code in (403, 404)


def test_the_owner_adds_a_sourced_claim_with_the_csrf_token(
    owner: TestClient, world: World, db: Database
) -> None:
    path = f"{CASE}/persons/{world.public_person}"
    page = owner.get(path)
    assert "Add a claim" in page.text
    source = page.text.split('<select id="claim-source" name="source" required>')[1]
    source_id = source.split('value="src_')[1].split('"')[0]
    source_id = f"src_{source_id}"  # the first source offered (after "choose the source")
    without = owner.post(
        f"{path}/claims",
        data={"property": "age", "value": "34", "source": source_id},
        headers=ORIGIN,
    )
    assert without.status_code == 403
    bad = owner.post(
        f"{path}/claims",
        data={
            "property": "age",
            "value": "-3",
            "source": source_id,
            "csrf_token": csrf_of(page.text),
        },
        headers=ORIGIN,
    )
    assert bad.status_code == 422
    assert "value of age" in bad.text
    done = owner.post(
        f"{path}/claims",
        data={"property": "age", "value": "34", "source": source_id, "locator": "p. 3",
              "csrf_token": csrf_of(page.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    shown = owner.get(done.headers["location"])
    assert "The claim was added." in shown.text
    from sqlalchemy import select

    from dalil.db import Claim

    with db.reader() as s:
        ages = list(s.scalars(select(Claim).where(Claim.subject_id == world.public_person,
                                                   Claim.property == "age")))  # fmt: skip
    assert [(c.value_text, c.author, c.locator) for c in ages] == [("34", "owner", "p. 3")]


def test_administration_is_for_owners_and_its_audit_view_is_audited(
    viewer: TestClient, owner: TestClient, db: Database
) -> None:
    assert viewer.get(f"{CASE}/admin").status_code == 404
    assert f'href="{CASE}/admin"' not in viewer.get(CASE).text
    page = owner.get(f"{CASE}/admin")
    assert page.status_code == 200
    assert "Roles in this case" in page.text
    assert "Audit trail" in page.text
    assert "role_grant" in page.text
    assert "dalil_" not in page.text.replace("dalil_csrf", "")  # no token secret
    from dalil.access import audit

    with db.reader() as s:
        actions = [e["action"] for e in audit.entries(s)]
    assert "audit_read" in actions


def test_arabic_pages_are_right_to_left_and_translated(owner: TestClient) -> None:
    page = owner.get(f"{CASE}/search?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "البحث" in page.text
    assert "انتقل إلى المحتوى الرئيسي" in page.text
    again = owner.get(CASE)  # the choice is remembered in the dalil_lang cookie
    assert '<html lang="ar" dir="rtl">' in again.text
    english = owner.get(CASE, params={"lang": "en"})
    assert '<html lang="en" dir="ltr">' in english.text


def test_accept_language_chooses_arabic_for_the_login_form(
    db: Database, world: World, access_settings: AccessSettings
) -> None:
    with browser(db, access_settings) as client:
        page = client.get("/login", headers={"accept-language": "fr;q=0.9, ar-SY;q=0.8"})
        assert 'dir="rtl"' in page.text
        assert "تسجيل الدخول" in page.text


def test_search_as_you_type_returns_only_the_results(owner: TestClient) -> None:
    partial = owner.get(
        f"{CASE}/search",
        params={"q": "احمد"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<div id="results"')
    assert "<html" not in partial.text
    assert "الخطيب" in partial.text  # احمد finds أحمد الخطيب (Arabic-normalised)


def test_logout_ends_the_session(owner: TestClient) -> None:
    page = owner.get("/cases")
    response = owner.post(
        "/logout", data={"csrf_token": csrf_of(page.text)}, headers=ORIGIN, follow_redirects=False
    )
    assert response.status_code == 303
    assert owner.get("/cases", follow_redirects=False).status_code == 303


def test_errors_are_pages_for_people_and_json_for_the_api(
    db: Database, world: World, access_settings: AccessSettings
) -> None:
    with browser(db, access_settings) as client:
        page = client.get("/no/such/page", headers={"accept-language": "ar"})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "غير موجود" in page.text
        api = client.get("/api/cases/tadamon")
        assert api.status_code == 401
        assert api.json()["error"]["code"] == "unauthenticated"
        missing = client.get("/api/nothing-here")
        assert missing.headers["content-type"].startswith("application/json")


@given(st.text(max_size=80))
def test_login_never_sends_anyone_off_the_site(target: str) -> None:
    chosen = safe_next(target)
    assert chosen.startswith("/")
    assert not chosen.startswith(("//", "/\\"))
    assert "\\" not in chosen
    assert not any(ch in chosen for ch in "\r\n\x00")


def test_login_keeps_a_local_target() -> None:
    assert safe_next("/cases/tadamon/search?q=x") == "/cases/tadamon/search?q=x"
    assert safe_next("https://evil.example/") == "/cases"
    assert safe_next("//evil.example/") == "/cases"


def test_searching_too_fast_is_slowed_down_not_served(owner: TestClient) -> None:
    statuses = [owner.get(f"{CASE}/search", params={"q": f"a{n}"}).status_code for n in range(40)]
    assert statuses[0] == 200
    assert 429 in statuses
    slowed = owner.get(f"{CASE}/search", params={"q": "b"})
    assert slowed.status_code == 429
    assert "Too many requests" in slowed.text


def test_recent_activity_hides_a_claim_whose_source_the_viewer_may_not_read(
    viewer: TestClient, owner: TestClient, db: Database
) -> None:
    from sqlalchemy import select

    from dalil.db import Source
    from dalil.documentation import NameInput, add_claim, add_person, get_case

    with db.transaction("op") as s:
        case = get_case(s, "tadamon")
        secret = s.scalars(select(Source).where(Source.sensitivity == "confidential")).one()
        lina = add_person(s, case, [NameInput(full="Lina Example")], {"sensitivity": "public"})
        add_claim(s, case, lina.id, "age", "40", secret.id)

    def rows(client: TestClient) -> list[str]:
        html = client.get(CASE).text
        return [row for row in html.split("<tr>") if "Lina Example" in row]

    assert any("Claim:" in row for row in rows(owner))
    seen = rows(viewer)
    assert any("Person:" in row for row in seen)  # the public person itself is listed
    assert not any("Claim:" in row for row in seen)


def test_victims_are_counted_as_the_role_may_see_them(
    viewer: TestClient, owner: TestClient, world: World
) -> None:
    path = f"{CASE}/incidents/{world.public_incident}"
    assert 'Victims <span class="muted">(1)</span>' in viewer.get(path).text
    assert 'Victims <span class="muted">(2)</span>' in owner.get(path).text


def test_more_victims_come_in_pages(owner: TestClient, world: World, db: Database) -> None:
    from dalil.documentation import NameInput, add_person, add_relation, get_case

    with db.transaction("op") as s:
        case = get_case(s, "tadamon")
        for n in range(30):
            person = add_person(s, case, [NameInput(full=f"Synthetic Victim {n:02d}")])
            add_relation(s, case, "victim_of", person.id, world.public_incident)
    path = f"{CASE}/incidents/{world.public_incident}"
    first = owner.get(path).text
    assert first.count("Synthetic Victim") == 23  # after the 2 victims the world had
    assert "Showing 25 of 32" in first
    partial = owner.get(
        path, params={"shown": 50}, headers={"HX-Request": "true", "HX-Target": "people"}
    )
    assert partial.text.lstrip().startswith('<div id="people">')
    assert partial.text.count("Synthetic Victim") == 30
