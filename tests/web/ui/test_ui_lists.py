"""The lists pages, through real HTTP on SQLite and PostgreSQL: upload a list, see the suggested
column mapping and change it, import with a report of rejected rows, run linkage as a background
job polled with HTMX (the real engine), and what a viewer may neither see nor do."""

from __future__ import annotations

import re
import time
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dalil.db import Database
from dalil.db.models_registry import LinkRun, ListImport, ListRecord
from registry.linking_support import people, row
from web.ui.ui_support import CANARY, ORIGIN, access_settings, csrf_of, world
from web.ui.work_support import CASE, Lists, analyst, home, lists, owner, viewer

__all__ = ["access_settings", "analyst", "home", "lists", "owner", "viewer", "world"]

LISTS = f"{CASE}/lists"
# The columns of linking_support.row, headed in Arabic as a Syrian list would be.
ARABIC = ["الاسم", "اسم الأب", "الكنية", "اسم الأم", "الجنس", "تاريخ الولادة", "تاريخ الوفاة",
          "المحافظة"]  # fmt: skip


def csv_bytes(rows: list[list[str]], header: list[str] = ARABIC) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(client: TestClient, data: bytes, name: str = "list.csv", **form: str) -> object:
    page = client.get(LISTS)
    fields = {"csrf_token": csrf_of(page.text), "new_title": "Survivors' list"} | form
    return client.post(f"{LISTS}/upload", data=fields, files={"file": (name, data, "text/csv")},
                       headers=ORIGIN)  # fmt: skip


def mapping_form(html: str) -> dict[str, str]:
    """The mapping form's fields as the browser would submit them (selected options)."""
    form = {"key": re.search(r'name="key" value="([^"]+)"', html).group(1)}  # type: ignore[union-attr]
    form["csrf_token"] = csrf_of(html)
    for index, body in re.findall(
        r'<select id="field-(\d+)" name="field-\d+">(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[f"field-{index}"] = chosen.group(1) if chosen else ""
    form["policy"] = "all-or-nothing"
    return form


def counts(db: Database) -> tuple[int, int]:
    with db.reader() as s:
        imports = s.scalar(select(func.count()).select_from(ListImport)) or 0
        records = s.scalar(select(func.count()).select_from(ListRecord)) or 0
        return int(imports), int(records)


def test_upload_shows_the_suggested_mapping_which_can_be_changed_before_import(
    db: Database, owner: TestClient
) -> None:
    folk = people(5, seed=3)
    shown = upload(owner, csv_bytes([row(p, 0) for p in folk]))
    assert shown.status_code == 200, shown.text  # type: ignore[attr-defined]
    html = shown.text  # type: ignore[attr-defined]
    assert "Column mapping" in html
    form = mapping_form(html)
    assert form["field-0"] == "given"
    assert form["field-2"] == "family"
    assert form["field-7"] == "governorate"
    assert folk
    assert "<bdi>" in html
    assert counts(db) == (0, 0)  # nothing imported yet
    form["field-7"] = ""  # the reviewer leaves the governorate out
    done = owner.post(f"{LISTS}/import", data=form, headers=ORIGIN)
    assert done.status_code == 200, done.text
    assert "The list was imported." in done.text
    assert re.search(r'<span class="figure">5</span>Imported', done.text)
    assert counts(db) == (1, 5)
    with db.reader() as s:
        imported = s.scalars(select(ListImport)).one()
        assert "governorate" not in imported.mapping["columns"]
        assert imported.mapping["columns"]["الاسم"] == "given"
        assert all(r.governorate is None for r in s.scalars(select(ListRecord)))
    again = owner.post(f"{LISTS}/import", data=form, headers=ORIGIN)
    assert again.status_code == 404  # the upload is used up (and its file removed)
    assert "Survivors&#39; list" in owner.get(LISTS).text


def test_rejected_rows_are_reported_and_the_policy_decides(db: Database, owner: TestClient) -> None:
    folk = people(3, seed=5)
    nameless = ["", "", "", "", "male", "1970", "2013-01-02", "Homs"]
    html = upload(owner, csv_bytes([row(folk[0], 0), nameless, row(folk[1], 0)])).text  # type: ignore[attr-defined]
    form = mapping_form(html)
    refused = owner.post(f"{LISTS}/import", data=form, headers=ORIGIN)
    assert refused.status_code == 422
    assert "nothing was imported" in refused.text
    assert re.search(r'id="rejections".*?<td>3</td>.*?the row has no name', refused.text, re.S)
    assert counts(db) == (0, 0)
    form = mapping_form(refused.text) | {"policy": "good-rows"}
    done = owner.post(f"{LISTS}/import", data=form, headers=ORIGIN)
    assert done.status_code == 200
    assert re.search(r'<span class="figure">2</span>Imported', done.text)
    assert re.search(r'<span class="figure">1</span>Rejected', done.text)
    assert "the row has no name" in done.text
    assert counts(db) == (1, 2)


def test_a_bad_mapping_is_refused_with_the_choices_kept(db: Database, owner: TestClient) -> None:
    html = upload(owner, csv_bytes([row(p, 0) for p in people(2)])).text  # type: ignore[attr-defined]
    form = mapping_form(html) | {"field-1": "given"}  # two columns for one field
    response = owner.post(f"{LISTS}/import", data=form, headers=ORIGIN)
    assert response.status_code == 422
    assert "mapped from two columns" in response.text
    assert mapping_form(response.text)["field-1"] == "given"  # kept as chosen
    assert owner.post(f"{LISTS}/import", data=mapping_form(html) | {"field-0": "no_such"},
                      headers=ORIGIN).status_code == 422  # fmt: skip
    assert counts(db) == (0, 0)


def test_unreadable_files_are_refused_clearly(owner: TestClient, home: Path) -> None:
    for data in (b"", b"\x00\x01\x02" * 50):
        response = upload(owner, data, name="broken.xlsx")
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert str(home) not in response.text  # type: ignore[attr-defined]
    assert not list((home / "tmp").glob("list-*/*"))  # nothing left behind


def test_a_viewer_sees_public_lists_only_and_may_not_import(
    db: Database, viewer: TestClient, lists: Lists
) -> None:
    page = viewer.get(LISTS).text
    assert "List public" in page
    assert "List restricted" not in page
    assert CANARY not in page
    assert "/lists/upload" not in page
    assert "/link/run" not in page
    assert upload(viewer, csv_bytes([])).status_code == 403  # type: ignore[attr-defined]
    token = csrf_of(page)
    assert (
        viewer.post(f"{CASE}/link/run", data={"csrf_token": token}, headers=ORIGIN).status_code
        == 404
    )


def test_an_upload_belongs_to_the_user_who_made_it(owner: TestClient, analyst: TestClient) -> None:
    html = upload(owner, csv_bytes([row(p, 0) for p in people(2)])).text  # type: ignore[attr-defined]
    form = mapping_form(html)
    form["csrf_token"] = csrf_of(analyst.get(LISTS).text)
    assert analyst.post(f"{LISTS}/import", data=form, headers=ORIGIN).status_code in (403, 404)


def test_linkage_runs_in_the_background_and_its_summary_is_shown(
    db: Database, owner: TestClient, lists: Lists
) -> None:
    page = owner.get(LISTS).text
    started = owner.post(f"{CASE}/link/run", data={"csrf_token": csrf_of(page), "full": "1"},
                         headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    job = started.headers["location"]
    assert re.fullmatch(rf"{CASE}/link/jobs/[\w-]+", job)
    first = owner.get(job).text
    assert 'id="job"' in first
    deadline = time.monotonic() + 300
    while True:
        partial = owner.get(job, headers={"HX-Request": "true", "HX-Target": "job"})
        assert partial.status_code == 200
        assert "<html" not in partial.text  # only the region is swapped
        state = re.search(r'data-state="(\w+)"', partial.text).group(1)  # type: ignore[union-attr]
        if state != "running":
            break
        assert 'hx-trigger="every 1s"' in partial.text
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.5)
    assert state == "done", partial.text
    assert "hx-trigger" not in partial.text  # polling stops
    with db.reader() as s:
        run = s.scalars(select(LinkRun).order_by(LinkRun.started_at.desc())).first()
        assert run is not None
        assert run.status == "done"
        assert run.incremental is False  # "from scratch" was ticked
        assert run.id in partial.text
        records = run.record_count
    assert re.search(rf"List records</th><td>{records}</td>", partial.text)
    assert "Incremental</th><td>no</td>" in partial.text
    assert f"{CASE}/link/jobs/" not in owner.get(LISTS).text  # no run in progress any more


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600), name=st.sampled_from(["a.csv", "b.xlsx", "c.txt"]))
def test_any_uploaded_bytes_get_an_answer_and_import_nothing(
    db: Database, owner: TestClient, data: bytes, name: str
) -> None:
    response = upload(owner, data, name=name)
    assert response.status_code in (200, 422), response.text[:300]  # type: ignore[attr-defined]
    assert counts(db) == (0, 0)


def test_the_mapping_says_why_in_the_readers_language_and_marks_empty_columns(
    owner: TestClient,
) -> None:
    folk = people(5, seed=3)
    rows = [[*row(p, 0)[:3], "", *row(p, 0)[4:]] for p in folk]  # no mother written at all
    owner.get(f"{LISTS}?lang=ar")
    html = upload(owner, csv_bytes(rows)).text  # type: ignore[attr-defined]
    assert "عنوان معروف" in html  # "a known header", in Arabic
    assert "a known header" not in html
    assert "عمود اسم بجانب أعمدة أجزاء الاسم: تحقّق منه" in html  # الاسم beside the name parts
    mother = re.search(r'<select id="field-3".*?</tr>', html, re.S)
    assert mother is not None
    assert "(فارغ في الصفوف الأولى)" in mother.group(0)  # not a row of bare commas
    assert "<bdi></bdi>" not in html


def test_rejected_rows_are_explained_in_arabic(owner: TestClient) -> None:
    folk = people(2, seed=5)
    nameless = ["", "", "", "", "male", "1970", "2013-01-02", "Homs"]
    owner.get(f"{LISTS}?lang=ar")  # the reader's choice, kept in the cookie
    html = upload(owner, csv_bytes([row(folk[0], 0), nameless])).text  # type: ignore[attr-defined]
    form = mapping_form(html) | {"policy": "good-rows"}
    done = owner.post(f"{LISTS}/import", data=form, headers=ORIGIN).text
    rejected = done.split('id="rejections"')[1].split("</table>")[0]
    assert "الصف بلا اسم" in rejected  # the problem in words
    assert "<td>الاسم الأول</td>" in rejected  # the field by its label, not "given"


def test_what_was_done_to_the_header_is_said_in_the_readers_language(owner: TestClient) -> None:
    data = "قائمة ضحايا التضامن\n\n" + csv_bytes([row(p, 0) for p in people(2)]).decode()
    shown = upload(owner, data.encode("utf-8")).text  # type: ignore[attr-defined]
    notices = shown.split('id="notices">')[1].split("</ul>")[0]
    said = "row 3 is taken for the header; the rows above it for a title: «قائمة ضحايا التضامن»"
    assert said in notices
    assert mapping_form(shown)["field-0"] == "given"  # the header read below the title
    owner.get(f"{LISTS}?lang=ar")
    shown = upload(owner, data.encode("utf-8")).text  # type: ignore[attr-defined]
    notices = shown.split('id="notices">')[1].split("</ul>")[0]
    assert "أُخذ الصف 3 صفَّ العناوين" in notices
    assert "«قائمة ضحايا التضامن»" in notices
    assert 'dir="ltr"' not in notices  # translated, so read right to left
