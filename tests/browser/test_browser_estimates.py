"""Estimates in a real browser (Debian's chromium) against ``dalil serve`` on the demo: run an
estimate from the page, read it with the documented count beside it and its plots drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser.conftest import Site, shoot
from browser.test_browser_review import own_case

CASE = "/cases/browser-estimates"


def _linked_lists(site: Site, tmp: Path) -> None:
    """Two overlapping synthetic lists in a case of their own, imported and linked by the real
    engine (the demo's registry is not what this test is about)."""
    from dalil.db import Database
    from dalil.documentation import get_case
    from dalil.registry.importing import import_list
    from dalil.registry.linking import link_case
    from registry.linking_support import MAPPING, people, row, write_list

    own_case(site, "browser-estimates", "Synthetic lists for an estimate")
    folk = people(70, seed=7)
    a = write_list(tmp / "a.csv", [row(p, 0) for p in folk[:60]])
    b = write_list(tmp / "b.csv", [row(p, 0) for p in folk[:40] + folk[60:]])
    db = Database(f"sqlite:///{site.home / 'dalil.db'}")
    try:
        with db.transaction("browser-tests") as s:
            case = get_case(s, "browser-estimates")
            import_list(s, case, a, source="List A", mapping=MAPPING)
            import_list(s, case, b, source="List B", mapping=MAPPING)
            case_id = case.id
        link_case(db, case_id, actor="browser-tests", incremental=False)
    finally:
        db.dispose()


pytestmark = pytest.mark.browser


def test_run_an_estimate_and_see_its_plots(owner_page: Any, site: Site, tmp_path: Path) -> None:
    page = owner_page
    _linked_lists(site, tmp_path)
    page.goto(f"{CASE}?lang=en")
    page.get_by_role("link", name="Estimates", exact=True).click()
    page.wait_for_url(f"**{CASE}/estimates")
    before = page.locator("#estimates tbody tr").count()
    shoot(page, "estimates-en")
    page.get_by_label("Method").select_option("chapman")
    page.get_by_role("button", name="Run the estimate").click()
    page.locator("#figures, #run-error").first.wait_for(timeout=120_000)
    refused = page.locator("#run-error")
    assert refused.count() == 0, f"the estimate was refused: {refused.inner_text()}"
    assert f"{CASE}/estimates/est_" in page.url
    cards = page.locator("#figures .card")
    assert "Estimated total" in cards.nth(0).inner_text()
    assert "Documented (on at least one list)" in cards.nth(2).inner_text()
    estimate = int(cards.nth(0).locator(".figure").inner_text().replace(",", ""))
    documented = int(cards.nth(2).locator(".figure").inner_text().replace(",", ""))
    assert estimate >= documented > 0
    plots = page.locator(".plots img")
    assert plots.count() >= 1
    plots.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plots img')]"
        ".every(i => i.complete && i.naturalWidth > 100)"
    )
    shoot(page, "estimate-en")
    page.get_by_role("link", name="العربية").click()
    page.locator("html[dir=rtl]").wait_for(state="attached")
    assert "العدد الكلي المقدَّر" in page.locator("#figures").inner_text()
    shoot(page, "estimate-ar")
    page.get_by_role("link", name="كل التقديرات").click()
    page.wait_for_url(f"**{CASE}/estimates")
    assert page.locator("#estimates tbody tr").count() == before + 1
    shoot(page, "estimates-ar")
    page.get_by_role("link", name="English").click()
