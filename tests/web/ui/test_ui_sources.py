"""A source's page through real HTTP on SQLite and PostgreSQL: what it is, what in the case
cites it (only claims whose subject and named record the role may read), where it is linked from,
and 404 for a source above the role's level."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from dalil.db import Database, Source
from web.ui.ui_support import CANARY, World, access_settings, owner, viewer, world

__all__ = ["access_settings", "owner", "viewer", "world"]

CASE = "/cases/tadamon"


def source_ids(db: Database) -> dict[str, str]:
    with db.reader() as s:
        return {x.title.split(" ")[0]: x.id for x in s.scalars(select(Source))}


def test_a_source_page_says_what_cites_it_within_the_role(
    db: Database, world: World, owner: TestClient, viewer: TestClient
) -> None:
    report = source_ids(db)["Report"]
    mine = owner.get(f"{CASE}/sources/{report}").text
    cited = re.search(r'<table id="cited">.*?</table>', mine, re.S)
    assert cited is not None
    # The report is cited for the public person's name and for where they were detained (a
    # confidential place): the owner sees both properties.
    assert f'href="{CASE}/persons/{world.public_person}"' in cited.group(0)
    assert "Name" in cited.group(0)
    assert "Place of detention" in cited.group(0) or "detention" in cited.group(0).lower()

    theirs = viewer.get(f"{CASE}/sources/{report}").text
    cited = re.search(r'<table id="cited">.*?</table>', theirs, re.S)
    assert cited is not None
    assert "Name" in cited.group(0)
    assert "detention" not in cited.group(0).lower()  # names a place the viewer may not read
    assert CANARY not in theirs


def test_a_confidential_source_is_absent_for_a_viewer(
    db: Database, owner: TestClient, viewer: TestClient
) -> None:
    witness = source_ids(db)["Witness"]
    assert viewer.get(f"{CASE}/sources/{witness}").status_code == 404
    page = owner.get(f"{CASE}/sources/{witness}?lang=ar")
    assert page.status_code == 200
    assert CANARY in page.text
    assert "ما يستشهد بهذا المصدر" in page.text


def test_sources_are_linked_from_claims_and_search(
    db: Database, world: World, viewer: TestClient
) -> None:
    report = source_ids(db)["Report"]
    person = viewer.get(f"{CASE}/persons/{world.public_person}").text
    assert f'href="{CASE}/sources/{report}"' in person  # beside each claim
    found = viewer.get(f"{CASE}/search", params={"q": "Report"}).text
    assert f'href="{CASE}/sources/{report}"' in found
