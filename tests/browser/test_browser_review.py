"""Lists, linkage and review in a real browser (Debian's chromium) against ``dalil serve`` on the
demo: import two synthetic lists through the mapping page, run linkage and watch it finish, then
review three pairs with the keyboard alone (s, d, u) and find the judgements stored."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import OWNER, Site, shoot
from registry.linking_support import people, row

pytestmark = pytest.mark.browser

ARABIC = ["الاسم", "اسم الأب", "الكنية", "اسم الأم", "الجنس", "تاريخ الولادة", "تاريخ الوفاة",
          "المحافظة"]  # fmt: skip


def own_case(site: Site, slug: str, title: str) -> None:
    """A case of its own for the test owner, so that what these tests link and count does not
    depend on the state of the demo's registry."""
    from dalil.access import Principal, get_user, grant
    from dalil.db import Database
    from dalil.documentation import create_case

    db = Database(f"sqlite:///{site.home / 'dalil.db'}")
    try:
        with db.transaction("browser-tests") as s:
            case = create_case(s, slug, title_en=title, title_ar="قضية اختبار")
            grant(s, Principal.operator("browser-tests"), case, get_user(s, OWNER), "owner")
    finally:
        db.dispose()


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ARABIC)
        writer.writerows(rows)
    return path


CASE = "/cases/browser-lists"


def _import(page: Any, path: Path, title: str, lang: str) -> None:
    page.goto(f"{CASE}/lists?lang={lang}")
    page.locator("#list-file").set_input_files(str(path))
    page.locator("#list-title").fill(title)
    page.locator("form[action$='/lists/upload'] button[type=submit]").click()
    page.locator("#mapping").wait_for()
    assert page.locator("#field-0").input_value() == "given"  # suggested from "الاسم"
    assert page.locator("#field-2").input_value() == "family"
    shoot(page, f"list-mapping-{lang}")
    page.locator("form[action$='/lists/import'] button[type=submit]").click()
    page.locator("#counts").wait_for()
    shoot(page, f"list-report-{lang}")


def _sparse(cells: list[str]) -> list[str]:
    given, _father, family, _mother, sex, _born, died, place = cells
    return [given, "", family, "", sex, "", died, place]


def _pairs_to_review(site: Site, count: int) -> None:
    """``count`` pairs awaiting review (list A's and list B's rows of the same people), written
    as the engine writes a run."""
    from dalil.db import Database
    from registry.linking_support import seed_run

    with sqlite3.connect(site.home / "dalil.db") as con:
        case_id = con.execute("select id from cases where slug = 'browser-lists'").fetchone()[0]

        def rows(title: str) -> list[str]:
            return [r for (r,) in con.execute(
                "select r.id from list_records r join sources s on s.id = r.source_id"
                " where s.title = ? order by r.row_number", (title,))]  # fmt: skip

        a, b = rows("Synthetic list A"), rows("Synthetic list B")
    db = Database(f"sqlite:///{site.home / 'dalil.db'}")
    try:
        pairs = [(a[i], b[i], 0.45 + 0.05 * i, "review") for i in range(count)]
        seed_run(db, case_id, pairs, clusters=[])  # the registry persons stay the run's
    finally:
        db.dispose()


def _judgements(site: Site) -> list[tuple[str, str]]:
    with sqlite3.connect(site.home / "dalil.db") as con:
        return con.execute(
            "select decision, actor from link_judgements order by created_at"
        ).fetchall()


def test_import_lists_link_and_review_three_pairs_with_the_keyboard(
    owner_page: Any, site: Site, tmp_path: Path
) -> None:
    page = owner_page
    own_case(site, "browser-lists", "Synthetic lists for the browser tests")
    folk = people(70, seed=7)
    arabic = _write(tmp_path / "list-a.csv", [row(p, 0) for p in folk[:60]])
    # List B wrote eight of the shared people without father, mother or birth date (the names
    # alone leave their pairs uncertain).
    shared = folk[:40] + folk[60:]
    rows_b = [_sparse(row(p, 1)) if i < 8 else row(p, 1) for i, p in enumerate(shared)]
    latin = _write(tmp_path / "list-b.csv", rows_b)
    _import(page, arabic, "Synthetic list A", "en")
    _import(page, latin, "Synthetic list B", "ar")

    page.goto(f"{CASE}/lists?lang=en")
    page.get_by_label("From scratch").check()
    page.get_by_role("button", name="Run linkage").click()
    page.wait_for_url("**/link/jobs/*")
    page.locator("#job[data-state=running], #job[data-state=done]").first.wait_for()
    page.locator("#job[data-state=done]").wait_for(timeout=240_000)  # HTMX polled it to the end
    assert "The run is finished." in page.locator("#job").inner_text()
    shoot(page, "link-job-en")
    # What is reviewed below must not depend on how sure the engine happens to be about these
    # lists (it is tuned elsewhere): four pairs of the same people, written as a run would.
    _pairs_to_review(site, 4)

    page.get_by_role("link", name="Review", exact=True).click()
    page.wait_for_url(f"**{CASE}/review")
    total = int(page.locator("#queue-total").inner_text())
    assert total == 4
    assert page.locator("table.pair tr.agree").count() >= 1  # agreement in colour and in words
    assert "agree" in page.locator("table.pair tr.agree .state").first.inner_text()
    shoot(page, "review-en")
    for key, decision, left in (("s", "Same person", total - 1), ("d", "Different people",
                                total - 2), ("u", "Unsure", total - 2)):  # fmt: skip
        before = (
            page.locator("#pair").get_attribute("data-a"),
            page.locator("#pair").get_attribute("data-b"),
        )
        if key == "d":
            # A reviewer with an Arabic keyboard layout: the D key types "ي", and still works.
            page.evaluate(
                "document.body.dispatchEvent(new KeyboardEvent('keydown',"
                " {key: 'ي', code: 'KeyD', bubbles: true}))"
            )
        else:
            page.locator("body").press(key)
        page.get_by_role("status").filter(has_text=decision).wait_for()
        assert int(page.locator("#queue-total").inner_text()) == left
        after = (
            page.locator("#pair").get_attribute("data-a"),
            page.locator("#pair").get_attribute("data-b"),
        )
        # the next pair is shown; an unsure pair stays in the queue, so it is shown again when
        # it is the last one
        assert after != before or (key == "u" and left == 1)
    assert _judgements(site) == [("same", "owner.test"), ("different", "owner.test"),
                                 ("unsure", "owner.test")]  # fmt: skip
    shown = page.locator("#pair").get_attribute("data-a")
    page.locator("body").press("k")  # skip writes nothing
    page.wait_for_url("**/review?skip=1")
    if total - 2 == 1:
        assert page.locator("#pair").count() == 0  # the only pair left was skipped
    else:
        assert page.locator("#pair").get_attribute("data-a") != shown
    assert len(_judgements(site)) == 3
    page.get_by_role("link", name="العربية").click()
    page.locator("html[dir=rtl]").wait_for(state="attached")
    assert "قائمة المراجعة" in page.locator("h1").inner_text()
    shoot(page, "review-ar")
    page.get_by_role("link", name="English").click()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_work_pages_pass_axe_core_wcag_aa_checks(
    owner_page: Any, site: Site, lang: str
) -> None:
    from browser.test_browser_ui import _axe

    page = owner_page
    page.goto("/cases/tadamon/evidence?lang=en")
    page.get_by_role("link", name="synthetic-street-footage.mp4").click()
    page.wait_for_url("**/evidence/evi_*")
    video = page.url.split("?")[0]
    page.goto("/cases/tadamon/estimates?lang=en")
    estimate = page.locator("#estimates tbody a").first.get_attribute("href")
    page.goto("/cases/tadamon/lists?lang=en")
    remap = page.locator('a[href$="/remap"]').first.get_attribute("href")
    problems: list[str] = []
    paths = {"evidence": "/cases/tadamon/evidence", "video": video, "lists": "/cases/tadamon/lists",
             "review": "/cases/tadamon/review", "estimates": "/cases/tadamon/estimates",
             "estimate": estimate, "remap": remap}  # fmt: skip
    for name, path in paths.items():
        page.goto(f"{path}?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang
        problems += [f"{path}: {p}" for p in _axe(page)]
        shoot(page, f"axe-{name}-{lang}")
    assert problems == []
