"""The evidence pages, through real HTTP on SQLite and PostgreSQL: the upload form and the API
upload it drives (session cookie + CSRF header), the item page with its custody trail and each
event's inclusion-proof status, derivative playback with HTTP Range (never the original), and
what a viewer never receives."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dalil.db import Database, Source
from dalil.evidence import log
from dalil.evidence.keys import load_key
from web.ui.ui_support import CANARY, ORIGIN, World, access_settings, csrf_of, world
from web.ui.work_support import CASE, home, owner, viewer

__all__ = ["access_settings", "home", "owner", "viewer", "world"]

EVIDENCE = f"{CASE}/evidence"
BODY = b"\x89PNG synthetic evidence bytes " * 200


def report_source(db: Database) -> str:
    with db.reader() as s:
        return next(x.id for x in s.query(Source) if x.title == "Report")


def upload(client: TestClient, source: str, body: bytes = BODY, name: str = "photo.png") -> str:
    """What upload.js does: the raw bytes to the API with the session cookie and CSRF header."""
    form = client.get(EVIDENCE).text
    found = re.search(r'data-api="([^"]+)"', form)
    assert found is not None, "no upload form"
    response = client.post(
        found.group(1),
        params={"source": source, "name": name},
        content=body,
        headers=ORIGIN | {"Content-Type": "application/octet-stream",
                          "X-CSRF-Token": csrf_of(form)},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    item_id: str = response.json()["item_id"]
    return item_id


def test_the_upload_form_is_for_roles_that_may_write(owner: TestClient, viewer: TestClient) -> None:
    page = owner.get(EVIDENCE).text
    assert 'id="upload-form"' in page
    assert "/static/js/upload.js" in page
    assert 'data-api="/api/cases/tadamon/evidence"' in page
    assert '<label for="upload-file">' in page
    other = viewer.get(EVIDENCE).text
    assert "upload-form" not in other
    assert "upload.js" not in other
    assert f'href="{EVIDENCE}"' in viewer.get(CASE).text


def test_an_upload_shows_in_the_custody_trail_pending_then_proved(
    db: Database, owner: TestClient, home: Path
) -> None:
    item = upload(owner, report_source(db))
    page = owner.get(f"{EVIDENCE}/{item}?added=1").text
    assert "The file was preserved" in page
    assert f"sha256:{hashlib.sha256(BODY).hexdigest()}" in page
    trail = page[page.index('id="custody"') :]
    assert re.search(
        r'data-action="ingest">.*?received.*?awaiting the next checkpoint', trail, re.S
    )
    assert "No signed checkpoint yet" in page
    with db.transaction("op") as s:
        log.checkpoint(s, load_key(home))
    page = owner.get(f"{EVIDENCE}/{item}").text
    trail = page[page.index('id="custody"') :]
    assert re.search(r"received.*?✓ proved in the signed checkpoint", trail, re.S)
    assert "Latest signed checkpoint: 1" in page
    assert f'href="{EVIDENCE}/{item}"' in owner.get(EVIDENCE).text


def test_a_viewer_never_opens_a_restricted_item(
    db: Database, owner: TestClient, viewer: TestClient
) -> None:
    item = upload(owner, report_source(db), name=f"{CANARY}.png")  # items are restricted
    response = viewer.get(f"{EVIDENCE}/{item}")
    assert response.status_code == 404
    assert CANARY not in response.text
    assert CANARY not in viewer.get(EVIDENCE).text
    assert CANARY in owner.get(EVIDENCE).text


def _video_derivative(db: Database, home: Path, item: str, tmp: Path) -> tuple[str, bytes]:
    """A playable copy registered as the evidence engine registers derivatives."""
    from dalil.config import load_settings
    from dalil.evidence.blobs import LocalBlobStore
    from dalil.evidence.ingest import register_derivative
    from dalil.evidence.synthetic import make_video

    data = make_video(tmp / "copy.mp4", 1.0, 160, 120, fps=10, faststart=True).read_bytes()
    settings = load_settings(home=home)
    store = LocalBlobStore(settings.blob_root, second_hash=settings.blake3)
    with db.transaction("op") as s:
        made = register_derivative(s, item, store.put_bytes(data), "preview", "video/mp4")
        return made.id, data


def test_a_derivative_plays_with_range_requests_and_the_original_never_does(
    db: Database, owner: TestClient, home: Path, tmp_path: Path
) -> None:
    item = upload(owner, report_source(db))
    derivative, data = _video_derivative(db, home, item, tmp_path)
    page = owner.get(f"{EVIDENCE}/{item}").text
    url = f"{EVIDENCE}/{item}/derivatives/{derivative}"
    assert f'<video controls preload="metadata" src="{url}"' in page
    whole = owner.get(url)
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    part = owner.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = owner.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert tail.content == data[-10:]
    # The original's bytes are reachable by no route of the interface.
    with db.reader() as s:
        from dalil.db.models_evidence_items import EvidenceItem

        original = s.get(EvidenceItem, item)
        assert original is not None
    for path in (f"{EVIDENCE}/{item}/original", f"{EVIDENCE}/{item}/derivatives/{item}"):
        response = owner.get(path)
        assert response.status_code == 404
        assert BODY[:40] not in response.content


@pytest.mark.parametrize("ref", ["der_aaaaaaaa", "..%2f..%2fdalil.db", "der_AAAA"])
def test_derivatives_are_named_by_id_only(db: Database, owner: TestClient, ref: str) -> None:
    item = upload(owner, report_source(db))
    assert owner.get(f"{EVIDENCE}/{item}/derivatives/{ref}").status_code in (404, 422)


def test_a_derivative_of_another_item_is_not_served_under_this_one(
    db: Database, owner: TestClient, home: Path, tmp_path: Path
) -> None:
    first = upload(owner, report_source(db))
    second = upload(owner, report_source(db), body=BODY + b"2", name="second.png")
    derivative, _ = _video_derivative(db, home, first, tmp_path)
    assert owner.get(f"{EVIDENCE}/{second}/derivatives/{derivative}").status_code == 404


def test_the_item_page_in_arabic(db: Database, owner: TestClient, world: World) -> None:
    item = upload(owner, report_source(db))
    html = owner.get(f"{EVIDENCE}/{item}?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    assert "سلسلة الحيازة" in html
    assert "بانتظار نقطة التحقق التالية" in html


def test_a_video_gets_a_playable_copy_which_plays_in_ranges(
    db: Database, owner: TestClient, viewer: TestClient, tmp_path: Path
) -> None:
    from dalil.evidence.synthetic import make_video

    video = make_video(tmp_path / "clip.mp4", 2.0, 320, 240, fps=10).read_bytes()
    item = upload(owner, report_source(db), body=video, name="clip.mp4")
    page = owner.get(f"{EVIDENCE}/{item}").text
    assert "Make a playable copy" in page
    assert "<video" not in page
    denied = viewer.post(f"{EVIDENCE}/{item}/preview", data={"csrf_token": csrf_of(page)},
                         headers=ORIGIN)  # fmt: skip
    assert denied.status_code in (403, 404)
    made = owner.post(f"{EVIDENCE}/{item}/preview", data={"csrf_token": csrf_of(page)},
                      headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    page = owner.get(f"{EVIDENCE}/{item}").text
    assert "Make a playable copy" not in page  # one copy is enough
    src = re.search(r'<video controls preload="metadata" src="([^"]+)"', page)
    assert src is not None
    copy = owner.get(src.group(1))
    assert copy.headers["content-type"] == "video/webm"
    assert copy.content[:4] == b"\x1a\x45\xdf\xa3"  # a WebM (EBML) file, not the MP4 original
    assert copy.content != video
    part = owner.get(src.group(1), headers={"Range": "bytes=0-15"})
    assert part.status_code == 206
    assert part.content == copy.content[:16]
    trail = page[page.index('id="custody"') :]
    assert re.search(r"analysed <span class=\"ids\">\(preview\)</span>", trail)


def _png(seed: int) -> bytes:
    """A real (synthetic) PNG picture: noise the perceptual hash can work on."""
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    image = Image.new("RGB", (96, 96))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(96 * 96)])  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_an_uploaded_picture_is_fingerprinted_from_its_page_and_finds_its_copy(
    db: Database, owner: TestClient
) -> None:
    picture = _png(7)
    first = upload(owner, report_source(db), picture, name="first.png")
    copy = upload(owner, report_source(db), picture + b"\x00", name="copy.png")  # other bytes
    page = owner.get(f"{EVIDENCE}/{first}").text
    assert "Fingerprint it and look for near-duplicates" in page
    for item in (copy, first):
        page = owner.get(f"{EVIDENCE}/{item}").text
        done = owner.post(f"{EVIDENCE}/{item}/fingerprint", data={"csrf_token": csrf_of(page)},
                          headers=ORIGIN, follow_redirects=False)  # fmt: skip
        assert done.status_code == 303, done.text
    page = owner.get(f"{EVIDENCE}/{first}").text
    near = page[page.index('id="similar-h"') :]
    assert f'href="{EVIDENCE}/{copy}"' in near  # the near-duplicate, found
    assert "Fingerprint it" not in page  # done once
    trail = page[page.index('id="custody"') :]
    assert re.search(r"analysed <span class=\"ids\">\(pdq\)</span>", trail)
    arabic = owner.get(f"{EVIDENCE}/{first}?lang=ar").text
    assert "<dd>صورة</dd>" in arabic  # its kind, in words of the reader's language


def test_only_writers_may_fingerprint(
    db: Database, owner: TestClient, viewer: TestClient, world: World
) -> None:
    item = upload(owner, report_source(db), _png(3), name="public.png")
    with db.transaction("op") as s:
        from dalil.db.models_evidence_items import EvidenceItem

        found = s.get(EvidenceItem, item)
        assert found is not None
        found.sensitivity = "public"  # so that the viewer may read it
    page = viewer.get(f"{EVIDENCE}/{item}")
    assert page.status_code == 200
    assert "Fingerprint it" not in page.text
    refused = viewer.post(f"{EVIDENCE}/{item}/fingerprint", data={"csrf_token": csrf_of(page.text)},
                          headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert refused.status_code in (403, 404)
