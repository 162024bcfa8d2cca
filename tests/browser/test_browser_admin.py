"""Logging in with a second factor and administering a case in a real browser (Debian's
chromium) against ``dalil serve`` on the demo: an instance admin with TOTP is refused without
the code and let in with it, sees the accounts, gives a role and takes it away; a viewer's pages
hold none of it."""

from __future__ import annotations

import re
import subprocess
import time
from typing import Any

import pyotp
import pytest

from browser.conftest import Site, _dalil, shoot

pytestmark = pytest.mark.browser

ADMIN = "root.admin"
ADMIN_PASSWORD = "quiet-harbour-under-nine-cedars"
VIEWER = "vera.viewer"
VIEWER_PASSWORD = "amber-stone-behind-the-river"


def _cli(site: Site, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([*_dalil(), *args], env=site.env, input=stdin, text=True,
                          capture_output=True, timeout=120, check=True)  # fmt: skip
    return done.stdout


@pytest.fixture(scope="module")
def accounts(site: Site) -> str:
    """An instance admin with TOTP, owner in Tadamon, and a viewer; returns the TOTP secret."""
    out = _cli(site, "user", "add", ADMIN, "--admin", "--password-stdin", stdin=ADMIN_PASSWORD)
    secret = re.search(r"secret=([A-Z2-7]+)", out.replace("\n", ""))
    assert secret is not None, "no TOTP secret printed"
    _cli(site, "role", "grant", ADMIN, "owner", "--case", "tadamon")
    _cli(site, "user", "add", VIEWER, "--password-stdin", stdin=VIEWER_PASSWORD)
    _cli(site, "role", "grant", VIEWER, "viewer", "--case", "tadamon")
    return secret.group(1)


def _fill(page: Any, name: str, password: str, code: str = "") -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(password)
    if code:
        page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Log in").click()


def test_an_admin_logs_in_with_totp_and_gives_a_role(page: Any, site: Site, accounts: str) -> None:
    _fill(page, ADMIN, ADMIN_PASSWORD)  # the password alone is not enough
    assert "Wrong name, password or code" in page.get_by_role("alert").inner_text()
    assert page.url.endswith("/login")
    totp = pyotp.TOTP(accounts)
    if totp.interval - time.time() % totp.interval < 3:
        time.sleep(4)  # not a code about to expire
    _fill(page, ADMIN, ADMIN_PASSWORD, totp.now())
    page.wait_for_url("**/cases")
    page.goto("/cases/tadamon/admin")
    assert page.locator("#users-h").is_visible()  # accounts: an instance admin's
    page.get_by_label("Account name", exact=True).fill(VIEWER)
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_role("button", name="Give the role").click()
    page.get_by_role("status").filter(has_text="The role was given.").wait_for()
    row = page.locator(f'tr[data-account="{VIEWER}"]')
    assert "Reviewer" in row.inner_text()
    assert "role granted" in page.locator("main").inner_text()
    shoot(page, "admin-granted-en")
    page.goto("/cases/tadamon/admin?lang=ar")
    taking = page.get_by_role("button", name=f"سحب دور {VIEWER}")
    assert not taking.is_visible()  # one click does not take a role away: it asks first
    page.locator(f'tr[data-account="{VIEWER}"] summary').click()
    taking.click()
    page.get_by_role("status").filter(has_text="سُحب الدور.").wait_for()
    assert page.locator(f'tr[data-account="{VIEWER}"]').count() == 0
    shoot(page, "admin-revoked-ar")
    _cli(site, "role", "grant", VIEWER, "viewer", "--case", "tadamon")  # as it was
    page.goto("/cases/tadamon?lang=en")


def test_a_viewers_pages_hold_nothing_above_the_role(page: Any, site: Site, accounts: str) -> None:
    _fill(page, VIEWER, VIEWER_PASSWORD)
    page.wait_for_url("**/cases")
    page.goto(f"/cases/tadamon/incidents/{site.incident}")
    html = page.content()
    assert "41" in page.locator("section.figures").inner_text()  # the public figures are there
    for absent in ("Persons in the victim registry", "synthetic-street-footage.mp4",
                   "/cases/tadamon/admin", "/cases/tadamon/review", "/cases/tadamon/estimates",
                   "المثال", "Estimate ("):  # fmt: skip
        assert absent not in html, absent  # absent from the HTML, not hidden
    shoot(page, "viewer-incident-en")
    for path in ("/cases/tadamon/admin", "/cases/tadamon/review", "/cases/tadamon/estimates"):
        assert page.goto(path).status == 404
    page.goto("/cases/tadamon/lists?lang=ar")
    assert "استيراد قائمة" not in page.content()  # no import form for a viewer
    shoot(page, "viewer-lists-ar")
