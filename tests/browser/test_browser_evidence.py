"""Evidence in a real browser (Debian's chromium) against ``dalil serve`` on the demo: upload a
file with the progress bar, land on its page, and find the upload in the custody trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser.conftest import Site, shoot

pytestmark = pytest.mark.browser


def test_upload_evidence_and_see_it_in_the_custody_trail(
    owner_page: Any, site: Site, tmp_path: Path
) -> None:
    page = owner_page
    photo = tmp_path / "synthetic-photo-for-upload.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 synthetic test bytes, not a real photo " * 4000)
    page.goto("/cases/tadamon")
    page.get_by_role("link", name="Evidence", exact=True).click()
    page.wait_for_url("**/cases/tadamon/evidence")
    shoot(page, "evidence-list-en")
    page.get_by_label("File", exact=True).set_input_files(str(photo))
    source = page.locator("#upload-source")
    assert source.input_value() == ""  # no source is chosen for the uploader
    source.select_option(index=1)
    page.get_by_label("Received from").fill("a synthetic test supplier")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/cases/tadamon/evidence/evi_*?added=1")
    assert page.locator("h1").inner_text() == photo.name
    assert "The file was preserved" in page.get_by_role("status").first.inner_text()
    trail = page.locator("#custody")
    first = trail.locator("tbody tr").first
    assert "received" in first.inner_text()
    assert "owner.test" in first.inner_text()
    assert "awaiting the next checkpoint" in first.inner_text()  # no checkpoint since the upload
    shoot(page, "evidence-item-en")
    page.get_by_role("link", name="العربية").click()
    page.locator("html[dir=rtl]").wait_for(state="attached")
    assert "سلسلة الحيازة" in page.locator("main").inner_text()
    assert "استُلم" in page.locator("#custody").inner_text()
    shoot(page, "evidence-item-ar")
    page.get_by_role("link", name="الأدلة", exact=True).click()
    page.wait_for_url("**/cases/tadamon/evidence")
    assert photo.name in page.locator("#items").inner_text()
    shoot(page, "evidence-list-ar")
    page.get_by_role("link", name="English").click()


def test_a_demo_video_shows_its_thumbnails_and_proved_custody(owner_page: Any, site: Site) -> None:
    page = owner_page
    page.goto("/cases/tadamon/evidence?lang=en")
    page.get_by_role("link", name="synthetic-street-footage.mp4").click()
    page.wait_for_url("**/evidence/evi_*")
    thumbs = page.locator(".thumbs img")
    assert thumbs.count() >= 1
    thumbs.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.thumbs img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert "proved in the signed checkpoint" in page.locator("#custody").inner_text()
    shoot(page, "evidence-video-en")


def test_a_video_plays_from_a_derived_copy_never_the_original(owner_page: Any, site: Site) -> None:
    page = owner_page
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto("/cases/tadamon/evidence?lang=en")
    page.get_by_role("link", name="synthetic-street-footage.mp4").click()
    page.wait_for_url("**/evidence/evi_*")
    make = page.get_by_role("button", name="Make a playable copy")
    if make.count():  # the first run of the session makes it; the copy is kept
        make.click()
        page.wait_for_url("**/evidence/evi_*")
    video = page.locator("#play-h ~ video").first
    video.wait_for()
    assert "/derivatives/" in (video.get_attribute("src") or "")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v.currentTime > 0.5; }"
    )
    assert page.evaluate("document.querySelector('video').videoWidth") > 0
    assert "analysed (preview)" in page.locator("#custody").inner_text()  # in the trail
    played = [u for u in fetched if "/evidence/" in u and u.split("?")[0].count("/") > 5]
    assert played
    assert not [u for u in played if "/original" in u]  # the original is never streamed
    shoot(page, "evidence-playback-en")
