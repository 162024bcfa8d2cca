"""Correcting an import's mapping on the web, through real HTTP on SQLite and PostgreSQL: the
Lists page links each import one may write to its correction page; the page shows the mapping
used; a corrected mapping derives the records again (the rows as written unchanged); a mapping
that would reject a row, or no reason, changes nothing; a viewer can neither see nor do it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from dalil.db import Database
from dalil.db.models_registry import ListImport, ListRecord
from web.ui.test_ui_lists import LISTS, csv_bytes, mapping_form, upload
from web.ui.ui_support import ORIGIN, access_settings, csrf_of, world
from web.ui.work_support import Lists, home, lists, owner, viewer

__all__ = ["access_settings", "home", "lists", "owner", "viewer", "world"]

# Synthetic people. The father's and the mother's columns will be swapped by the first mapping.
ROWS = [
    ["سامر", "أحمد", "النجار", "ليلى", "ذكر", "16/04/1980", "2013-04-16", "دمشق"],
    ["رامي", "خالد", "الأحمد", "هدى", "ذكر", "1975", "2013-04-16", "حمص"],
]


def _import_swapped(owner: TestClient) -> str:
    form = mapping_form(upload(owner, csv_bytes(ROWS)).text)  # type: ignore[attr-defined]
    assert (form["field-1"], form["field-3"]) == ("father", "mother")
    form |= {"field-1": "mother", "field-3": "father"}  # the wrong mapping
    assert owner.post(f"{LISTS}/import", data=form, headers=ORIGIN).status_code == 200
    links = re.findall(r'href="(/cases/tadamon/lists/(lim_\w+)/remap)"', owner.get(LISTS).text)
    assert len(links) == 1
    return links[0][1]


def _form(html: str, **fields: str) -> dict[str, str]:
    form = {"csrf_token": csrf_of(html), "reason": "", "date_order": "auto"}
    form |= dict(re.findall(r'<input type="hidden" name="(column-\d+)" value="([^"]*)">', html))
    for index, body in re.findall(
        r'<select id="field-(\d+)" name="field-\d+">(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[f"field-{index}"] = chosen.group(1) if chosen else ""
    return form | fields


def _parents(db: Database, import_id: str) -> list[tuple[str | None, str | None]]:
    with db.reader() as session:
        return [
            (r.father, r.mother)
            for r in session.scalars(
                select(ListRecord)
                .where(ListRecord.import_id == import_id)
                .order_by(ListRecord.row_number)
            )
        ]


def test_a_swapped_column_is_corrected_and_the_records_derived_again(
    db: Database, owner: TestClient
) -> None:
    import_id = _import_swapped(owner)
    assert _parents(db, import_id) == [("ليلى", "أحمد"), ("هدى", "خالد")]
    url = f"{LISTS}/{import_id}/remap"
    page = owner.get(url)
    assert page.status_code == 200
    form = _form(page.text)
    assert (form["field-1"], form["field-3"]) == ("mother", "father")  # the mapping used
    assert "ليلى" in page.text  # the first values of each column
    form |= {"field-1": "father", "field-3": "mother", "reason": "father and mother swapped"}
    done = owner.post(url, data=form, headers=ORIGIN, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"{import_id}/remap?done=1")
    shown = owner.get(done.headers["location"]).text
    assert re.search(r'id="remapped">.*Records 2 · with values that changed 2', shown)
    assert "father and mother swapped" in shown  # among the earlier corrections
    assert _form(shown)["field-1"] == "father"  # the page shows the new mapping
    assert _parents(db, import_id) == [("أحمد", "ليلى"), ("خالد", "هدى")]
    with db.reader() as session:
        stored = session.get(ListImport, import_id)
        assert stored is not None
        assert [r["changed"] for r in stored.remaps] == [2]


def test_a_mapping_that_would_reject_a_row_or_no_reason_changes_nothing(
    db: Database, owner: TestClient
) -> None:
    import_id = _import_swapped(owner)
    url = f"{LISTS}/{import_id}/remap"
    html = owner.get(url).text
    month_first = _form(html, date_order="MM/DD/YYYY", reason="dates are month-first")
    refused = owner.post(url, data=month_first, headers=ORIGIN)
    assert refused.status_code == 422
    assert "nothing was changed" in refused.text
    assert re.search(r'id="rejections".*?<td>2</td>', refused.text, re.S)  # row 2: 16/04/1980
    assert re.search(r'<option value="MM/DD/YYYY" selected>', refused.text)  # kept as chosen
    swapped = {"field-1": "father", "field-3": "mother"}
    unexplained = owner.post(url, data=_form(html, **swapped), headers=ORIGIN)
    assert unexplained.status_code == 422
    assert "say why" in unexplained.text
    bad = owner.post(url, data=_form(html, **{"field-1": "no_such"}, reason="x"), headers=ORIGIN)
    assert bad.status_code == 422
    twice = owner.post(url, data=_form(html, **{"field-1": "father"}, reason="x"), headers=ORIGIN)
    assert twice.status_code == 422
    assert "mapped from two columns" in twice.text  # the father's field, from columns 2 and 4
    strange = _form(html, **{"column-1": "not a column", "field-1": "father"}, reason="x")
    refused_column = owner.post(url, data=strange, headers=ORIGIN)
    assert refused_column.status_code == 422
    assert "the list has no column" in refused_column.text
    assert _parents(db, import_id) == [("ليلى", "أحمد"), ("هدى", "خالد")]
    with db.reader() as session:
        stored = session.get(ListImport, import_id)
        assert stored is not None
        assert stored.remaps == []


def test_the_correction_page_in_arabic(owner: TestClient) -> None:
    import_id = _import_swapped(owner)
    html = owner.get(f"{LISTS}/{import_id}/remap?lang=ar").text
    assert "تصحيح المطابقة" in html
    assert "سبب تغيير المطابقة" in html
    assert 'dir="rtl"' in html


def test_a_viewer_may_neither_see_nor_correct_a_mapping(
    db: Database, viewer: TestClient, lists: Lists
) -> None:
    page = viewer.get(LISTS).text
    assert "/remap" not in page
    with db.reader() as session:
        imports = session.scalars(select(ListImport.id)).all()
    assert imports
    for import_id in imports:
        url = f"{LISTS}/{import_id}/remap"
        assert viewer.get(url).status_code in (403, 404)
        form = {"csrf_token": csrf_of(page), "reason": "x", "field-0": "given"}
        assert viewer.post(url, data=form, headers=ORIGIN).status_code in (403, 404)
    assert viewer.get(f"{LISTS}/lim_nosuchimport0000/remap").status_code == 404
