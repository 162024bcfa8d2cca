"""The interface in a real browser (Debian's chromium): log in, open Tadamon, read 41 and 288,
switch to Arabic, search an Arabic name as one types, move by keyboard, check accessibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser.conftest import Site, log_in, shoot

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def open_incident(page: Any, site: Site) -> None:
    page.goto("/cases")
    page.get_by_role("link", name="Tadamon massacre (Damascus, 16 April 2013)").click()
    page.wait_for_url("**/cases/tadamon")
    page.get_by_role("link", name="Tadamon massacre", exact=True).click()
    page.wait_for_url(f"**/incidents/{site.incident}")


def test_log_in_open_tadamon_and_read_both_disputed_counts(page: Any, site: Site) -> None:
    log_in(page)
    shoot(page, "cases-en")
    page.get_by_role("link", name="Tadamon massacre (Damascus, 16 April 2013)").click()
    page.wait_for_url("**/cases/tadamon")
    assert page.locator("h1").inner_text() == "Tadamon massacre (Damascus, 16 April 2013)"
    shoot(page, "dashboard-en")
    page.get_by_role("link", name="Tadamon massacre", exact=True).click()
    # A click returns before the next page is read: reading the figures at once may find none.
    page.wait_for_url(f"**/incidents/{site.incident}")
    figures = page.locator("section.figures")
    values = figures.locator(".claim .value").all_inner_texts()
    assert "41" in values
    assert "288" in values
    text = figures.inner_text()
    assert "Sources disagree" in text
    # each figure with its source, its publisher and year set apart as words
    assert "statement on the Tadamon massacre — Syrian National Coalition (2022)" in text
    assert "Persons in the victim registry" in text  # the registry count beside the figures
    assert "Estimate (LCMCR latent-class model)" in text
    shoot(page, "incident-en")


def test_show_more_victims_loads_in_place(owner_page: Any, site: Site) -> None:
    page = owner_page
    open_incident(page, site)
    victims = page.locator("#people-victim_of + ul li")
    before = victims.count()
    page.get_by_role("link", name="Show more").first.click()
    victims.nth(before).wait_for()
    assert victims.count() > before
    assert page.url.endswith(f"/incidents/{site.incident}")  # HTMX swapped the list in place


def test_switching_to_arabic_mirrors_the_page(owner_page: Any, site: Site) -> None:
    page = owner_page
    open_incident(page, site)
    page.get_by_role("link", name="العربية").click()
    page.locator("html[dir=rtl]").wait_for(state="attached")
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.get_by_role("link", name="البحث").is_visible()
    assert "الأرقام والادعاءات المتنازع عليها" in page.locator("main").inner_text()
    # Mirrored: the brand sits at the right edge of the header, the tools at the left.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".site-header .tools").bounding_box()
    assert brand["x"] > tools["x"]
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Noto Naskh Arabic" in font
    assert page.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'مجزرة')")
    shoot(page, "incident-ar")
    page.goto("/cases/tadamon")
    shoot(page, "dashboard-ar")


def test_search_finds_a_synthetic_arabic_name_as_one_types(owner_page: Any, site: Site) -> None:
    page = owner_page
    page.goto("/cases/tadamon/search")
    page.get_by_label("Names, incidents or sources").press_sequentially("احمد المثال", delay=40)
    results = page.locator("#results")
    results.get_by_role("link", name="أحمد محمد علي المثال").wait_for()
    assert "/search?q=" in page.url  # the address follows what was typed
    shoot(page, "search-en")
    results.get_by_role("link", name="أحمد محمد علي المثال").click()
    page.wait_for_url("**/cases/tadamon/persons/*")
    assert "Ahmad Mohammad al-Mithal" in page.locator("main").inner_text()
    # Name parts in both scripts: the Latin spelling is split as the Arabic one is.
    names = page.locator("section[aria-labelledby=names-h] tbody tr")
    latin = names.filter(has_text="Ahmad Mohammad al-Mithal").locator("td").all_inner_texts()
    assert latin[2:4] == ["Ahmad", "Mohammad"]
    assert latin[5] == "al-Mithal"
    arabic = names.filter(has_text="أحمد محمد علي المثال").locator("td").all_inner_texts()
    assert arabic[2:6] == ["أحمد", "محمد", "علي", "المثال"]
    # The rows of the lists behind the person, each with its list and row number.
    behind = page.locator("#list-records tbody tr")
    assert behind.count() >= 1
    assert "SYNTHETIC demonstration list A" in behind.first.inner_text()
    assert "أحمد" in behind.first.inner_text()
    shoot(page, "person-en")
    page.goto(page.url + "?lang=ar")
    assert "سجلات القوائم وراء هذا الشخص" in page.locator("main").inner_text()
    shoot(page, "person-ar")
    page.goto("/cases/tadamon/search?q=%D8%A7%D8%AD%D9%85%D8%AF")
    shoot(page, "search-ar")


def test_keyboard_alone_reaches_the_main_links(owner_page: Any, site: Site) -> None:
    page = owner_page
    page.goto("/cases/tadamon")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    # The fragment's navigation reaches Playwright after the key's events: wait for it.
    page.wait_for_url("**/cases/tadamon#main")
    assert page.evaluate("location.hash") == "#main"
    page.goto("/cases/tadamon")
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", reached[-1]  # focus is visible on every stop
    for wanted in ("Search", "Administration", "العربية", "My cases"):
        assert wanted in reached, reached
    page.keyboard.press("Shift+Tab")  # and back again
    assert page.evaluate("document.activeElement.textContent.trim()") == reached[-2]
    page.goto("/cases/tadamon")
    for _ in range(reached.index("Search") + 1):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # a link followed from the keyboard
    page.wait_for_url("**/cases/tadamon/search")


def test_logging_in_in_arabic(page: Any, site: Site) -> None:
    page.goto("/login?lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    shoot(page, "login-ar")
    _log_in_arabic(page)
    assert page.locator("h1").inner_text() == "اختر قضية"
    shoot(page, "cases-ar")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_pass_axe_core_wcag_aa_checks(
    page: Any, owner_page: Any, site: Site, lang: str
) -> None:
    page.goto(f"/login?lang={lang}")
    problems = [f"/login: {p}" for p in _axe(page)]
    shoot(page, f"login-{lang}")
    owner_page.goto("/cases/tadamon/search?q=%D8%A7%D8%AD%D9%85%D8%AF")
    person = owner_page.locator("#results a").first.get_attribute("href")
    owner_page.goto(f"/cases/tadamon/incidents/{site.incident}")
    source = owner_page.locator("section.figures .source a").first.get_attribute("href")
    paths = {
        "cases": "/cases",
        "dashboard": "/cases/tadamon",
        "incident": f"/cases/tadamon/incidents/{site.incident}",
        "search": "/cases/tadamon/search?q=%D8%A7%D8%AD%D9%85%D8%AF",
        "person": person,
        "source": source,
        "admin": "/cases/tadamon/admin",
    }
    for name, path in paths.items():
        owner_page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert owner_page.evaluate("document.documentElement.lang") == lang
        problems += [f"{path}: {p}" for p in _axe(owner_page)]
        shoot(owner_page, f"axe-{name}-{lang}")
    assert problems == []


def _log_in_arabic(page: Any) -> None:
    from browser.conftest import OWNER, PASSWORD

    page.get_by_label("اسم الحساب").fill(OWNER)
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_url("**/cases")


def _axe(page: Any) -> list[str]:
    # Evaluated through the DevTools protocol: the pages' CSP (no inline scripts) stays on.
    page.evaluate(AXE.read_text("utf-8") + "\n;0")
    assert page.evaluate("typeof axe") == "object"
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag',
                      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
          return r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                   v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return list(result)


def test_the_accessibility_check_does_catch_problems(page: Any) -> None:
    page.set_content(
        '<html lang="en"><body><main><img src="x.png"><input id="q">'
        '<p style="color:#aaaaaa;background:#ffffff">faint</p></main></body></html>'
    )
    found = " ".join(_axe(page))
    assert "image-alt" in found
    assert "label" in found
    assert "color-contrast" in found


def test_pages_run_under_their_content_security_policy_without_errors(
    owner_page: Any, site: Site
) -> None:
    page = owner_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto("/cases/tadamon")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(f"/cases/tadamon/incidents/{site.incident}")
    page.get_by_role("link", name="Show more").first.click()
    page.locator("#people-victim_of + ul li").nth(25).wait_for()
    page.goto("/cases/tadamon/search")
    page.get_by_label("Names, incidents or sources").press_sequentially("المثال", delay=30)
    page.locator("#results li").first.wait_for()
    assert errors == []


def test_pages_fit_a_phone_in_both_languages(chromium: Any, site: Site, owner_state: Any) -> None:
    """Nothing pushes a page sideways on a 390-pixel-wide phone: facts stack, tables wrap."""
    context = chromium.new_context(base_url=site.url, viewport={"width": 390, "height": 844},
                                   storage_state=owner_state)  # fmt: skip
    page = context.new_page()
    try:
        page.goto("/cases/tadamon/search?q=%D8%A7%D8%AD%D9%85%D8%AF")
        person = page.locator("#results a").first.get_attribute("href")
        case = "/cases/tadamon"
        paths = [case, f"{case}/incidents/{site.incident}", person, f"{case}/review",
                 f"{case}/admin", f"{case}/lists"]  # fmt: skip
        wide = []
        for lang in ("en", "ar"):
            for path in paths:
                page.goto(f"{path}?lang={lang}")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide.append(f"{path} ({lang}): {width}px")
            shoot(page, f"phone-lists-{lang}")
        assert wide == []
    finally:
        context.close()
