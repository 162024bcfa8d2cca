"""The review queue page, through real HTTP on SQLite and PostgreSQL: who sees it, the pair side
by side with each field's agreement in words (not colour only), keyboard hooks, judgements
appended through the registry with CSRF, and confidential records kept from a reviewer."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dalil.db import Database
from dalil.db.models_registry import LinkJudgement
from dalil.registry.linkage import engine
from dalil.web.ui.labels import MATCH_LEVELS
from web.ui.ui_support import CANARY, ORIGIN, access_settings, csrf_of, world
from web.ui.work_support import CASE, Lists, analyst, home, lists, owner, reviewer, viewer

__all__ = ["access_settings", "analyst", "home", "lists", "owner", "reviewer", "viewer", "world"]

REVIEW = f"{CASE}/review"


def judgements(db: Database) -> list[tuple[str, str, str, str]]:
    with db.reader() as s:
        rows = s.execute(
            select(LinkJudgement.record_a, LinkJudgement.record_b, LinkJudgement.decision,
                   LinkJudgement.actor).order_by(LinkJudgement.created_at, LinkJudgement.id)
        )  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


def shown_pair(html: str) -> tuple[str, str]:
    found = re.search(r'id="pair" data-a="(lrc_\w+)" data-b="(lrc_\w+)"', html)
    assert found is not None, "no pair on the page"
    return found.group(1), found.group(2)


def total(html: str) -> int:
    found = re.search(r'id="queue-total">(\d+)<', html)
    assert found is not None
    return int(found.group(1))


def test_the_queue_is_absent_for_roles_that_may_not_judge(
    viewer: TestClient, analyst: TestClient
) -> None:
    for client in (viewer, analyst):
        assert client.get(REVIEW).status_code == 404
        dashboard = client.get(CASE).text
        assert f'href="{REVIEW}"' not in dashboard  # not in the navigation either


def test_a_reviewer_sees_the_pair_side_by_side_with_agreement_in_words(
    reviewer: TestClient, lists: Lists
) -> None:
    page = reviewer.get(REVIEW)
    assert page.status_code == 200
    html = page.text
    assert total(html) == 3  # the pair with a confidential record is not the reviewer's
    a, b = shown_pair(html)
    assert {a, b} == {lists.p[1], lists.r[1]}  # probability closest to 0.5 first
    # Public list in Arabic, restricted in Latin script: the same names in two scripts read as
    # alike (never as a plain "differ"), sex and dates agree.
    assert re.search(r'<tr class="agree" data-field="sex">.*?✓</span> agree', html, re.S)
    assert re.search(r'<tr class="alike" data-field="given">.*?≈</span> alike', html, re.S)
    assert 'class="differ" data-field="given"' not in html
    assert 'data-key="s"' in html
    assert 'data-key="d"' in html
    assert 'data-key="u"' in html
    assert 'data-key="k"' in html
    assert "/static/js/review.js" in html
    assert "Match weight" in html
    assert "-0.29" in html
    assert CANARY not in html


def test_missing_fields_are_marked_as_missing(
    db: Database, reviewer: TestClient, lists: Lists
) -> None:
    from dalil.db.models_registry import ListRecord

    with db.transaction("op") as s:
        record = s.get(ListRecord, lists.p[1])
        assert record is not None
        record.mother = None
    html = reviewer.get(REVIEW).text
    assert re.search(r'<tr class="missing" data-field="mother">.*?–</span> missing', html, re.S)


def test_judging_appends_through_the_registry_and_moves_on(
    db: Database, reviewer: TestClient, lists: Lists
) -> None:
    page = reviewer.get(REVIEW)
    a, b = shown_pair(page.text)
    form = {"record_a": a, "record_b": b, "decision": "same", "skip": "0"}
    refused = reviewer.post(REVIEW, data=form, headers=ORIGIN, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    assert judgements(db) == []
    done = reviewer.post(REVIEW, data=form | {"csrf_token": csrf_of(page.text)},
                         headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"{REVIEW}?skip=0&judged=same"
    assert judgements(db) == [(*sorted((a, b)), "same", "reviewer")]
    after = reviewer.get(done.headers["location"]).text
    assert "Recorded: Same person" in after
    assert total(after) == 2
    assert shown_pair(after) != (a, b)


def test_unsure_keeps_the_pair_last_and_skip_moves_without_writing(
    db: Database, reviewer: TestClient
) -> None:
    page = reviewer.get(REVIEW)
    first = shown_pair(page.text)
    skipped = reviewer.get(f"{REVIEW}?skip=1").text
    assert shown_pair(skipped) != first
    assert judgements(db) == []
    reviewer.post(REVIEW, data={"record_a": first[0], "record_b": first[1], "decision": "unsure",
                                "csrf_token": csrf_of(page.text)}, headers=ORIGIN)  # fmt: skip
    again = reviewer.get(REVIEW).text
    assert total(again) == 3  # still in the queue…
    assert shown_pair(reviewer.get(f"{REVIEW}?skip=2").text) == first  # …after the others
    assert "judged unsure before" in reviewer.get(f"{REVIEW}?skip=2").text


def test_a_reviewer_cannot_judge_a_pair_with_a_confidential_record(
    db: Database, reviewer: TestClient, lists: Lists
) -> None:
    page = reviewer.get(REVIEW)
    response = reviewer.post(
        REVIEW,
        data={"record_a": lists.p[4], "record_b": lists.c[0], "decision": "same",
              "csrf_token": csrf_of(page.text)},
        headers=ORIGIN,
    )  # fmt: skip
    assert response.status_code == 404
    assert CANARY not in response.text
    assert judgements(db) == []


def test_an_owner_sees_the_confidential_pair(owner: TestClient, lists: Lists) -> None:
    html = owner.get(REVIEW).text
    assert total(html) == 4
    pages = [owner.get(f"{REVIEW}?skip={i}").text for i in range(4)]
    assert any(CANARY in p for p in pages)


def test_the_queue_in_arabic_is_right_to_left_with_words_for_agreement(
    reviewer: TestClient,
) -> None:
    html = reviewer.get(f"{REVIEW}?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    assert "قائمة المراجعة" in html
    assert "✓</span> متطابق" in html
    assert "Review queue" not in html


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    decision=st.text(max_size=20),
    skip=st.one_of(st.integers(-5, 2_000_000).map(str), st.text(max_size=8)),
    note=st.text(max_size=50),
)
def test_any_judgement_form_is_answered_without_a_crash(
    db: Database, reviewer: TestClient, lists: Lists, decision: str, skip: str, note: str
) -> None:
    page = reviewer.get(REVIEW)
    before = len(judgements(db))
    response = reviewer.post(
        REVIEW,
        data={"record_a": lists.p[2], "record_b": lists.r[2], "decision": decision, "skip": skip,
              "note": note, "csrf_token": csrf_of(page.text)},
        headers=ORIGIN, follow_redirects=False,
    )  # fmt: skip
    assert response.status_code in (303, 422), response.text[:300]
    written = len(judgements(db)) - before
    assert written == (1 if response.status_code == 303 else 0)
    if written:
        assert decision in ("same", "different", "unsure")


def test_names_in_two_scripts_are_alike_and_other_names_differ() -> None:
    from dalil.web.ui.pages.review import _rows

    def row(a: str, b: str) -> str:
        view = {"a": {"fields": {"given": a}}, "b": {"fields": {"given": b}},
                "agree": {"given": a == b}}  # fmt: skip
        return str(_rows(view)[0]["state"])

    assert row("خالد", "Khaled") == "alike"
    assert row("المثال", "مثال") == "alike"  # the article dropped, as many lists write it
    assert row("Mohammad", "محمد") == "alike"
    assert row("خالد", "Omar") == "differ"
    assert row("خالد", "خالد") == "agree"


def test_every_level_the_engine_writes_beside_the_comparisons_has_words() -> None:
    written = [
        engine.SIBLING_LABEL,
        engine.RIVALS_LABEL,
        engine.RIVALS_ALONE_LABEL,
        *engine.PRIOR_LABELS,
    ]
    assert [level for level in written if level not in MATCH_LEVELS] == []
