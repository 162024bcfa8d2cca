"""The registry as the documentation pages show it, through real HTTP on SQLite and PostgreSQL:
the list records behind a person (each with its list and row), the registry count beside the
disputed figures on the incident page, and only at the list levels the role may read."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from dalil.db import Database
from dalil.db.models_registry import RegistryMember, RegistryPerson
from web.ui.ui_support import CANARY, World, access_settings, world
from web.ui.work_support import CASE, Lists, home, lists, owner, reviewer, viewer

__all__ = ["access_settings", "home", "lists", "owner", "reviewer", "viewer", "world"]


def attach(db: Database, records: list[str], person: str) -> None:
    """Name ``person`` on the registry persons holding these records (as the demo does)."""
    with db.transaction("op") as s:
        held = s.scalars(
            select(RegistryMember.registry_person_id).where(RegistryMember.record_id.in_(records))
        )
        for registry_id in set(held):
            found = s.get(RegistryPerson, registry_id)
            assert found is not None
            found.person_id = person


def records_section(html: str) -> str:
    found = re.search(r'<table id="list-records">.*?</table>', html, re.S)
    assert found is not None, "no list records on the page"
    return found.group(0)


def test_the_person_page_lists_the_list_records_behind_the_person(
    db: Database, world: World, lists: Lists, owner: TestClient, reviewer: TestClient,
    viewer: TestClient,
) -> None:  # fmt: skip
    # p[0] and r[0] were linked into one registry person; c[0] (confidential) is on its own.
    attach(db, [lists.p[0], lists.c[0]], world.public_person)
    path = f"{CASE}/persons/{world.public_person}"
    shown = records_section(owner.get(path).text)
    for title in ("List public", "List restricted", "List confidential"):
        assert title in shown
    assert CANARY in shown  # the confidential list's family names: the owner may read them
    assert "<td>2</td>" in shown  # each record's row in its list (row 1 is the header)

    mine = reviewer.get(path).text
    assert "List records behind this person" in mine
    shown = records_section(mine)
    assert "List public" in shown
    assert "List restricted" in shown
    assert "List confidential" not in shown
    assert CANARY not in mine  # absent from the HTML, not hidden

    theirs = viewer.get(path).text  # a viewer may not read the registry at all
    assert "List records behind this person" not in theirs
    assert 'id="list-records"' not in theirs


def test_a_person_no_list_record_is_linked_to_says_so(
    world: World, lists: Lists, owner: TestClient
) -> None:
    html = owner.get(f"{CASE}/persons/{world.public_person}?lang=ar").text
    assert "لا سجلات قوائم يحقّ لك رؤيتها مرتبطة بهذا الشخص." in html


def registry_count(html: str) -> int | None:
    found = re.search(r"Persons in the victim registry</dt>\s*<dd><strong>(\d+)</strong>", html)
    return None if found is None else int(found.group(1))


def test_the_incident_page_puts_the_registry_count_beside_the_figures(
    world: World, lists: Lists, owner: TestClient, reviewer: TestClient, viewer: TestClient
) -> None:
    path = f"{CASE}/incidents/{world.public_incident}"
    # One person from the linked pair, five and five single records of the public and
    # restricted lists, two of the confidential one.
    assert registry_count(owner.get(path).text) == 13
    assert registry_count(reviewer.get(path).text) == 11  # no confidential list for a reviewer
    assert registry_count(viewer.get(path).text) is None  # nor the registry for a viewer
    assert "Persons in the victim registry" not in viewer.get(path).text


def test_the_records_follow_the_person_through_a_later_merge(
    db: Database, world: World, lists: Lists, owner: TestClient
) -> None:
    from dalil.db import new_id
    from dalil.db.models_registry import RegistryRedirect

    attach(db, [lists.p[0]], world.public_person)
    with db.transaction("op") as s:  # as a later run would: p[0]'s person merged into another
        old = s.scalar(select(RegistryMember).where(RegistryMember.record_id == lists.p[0]))
        assert old is not None
        retired = s.get(RegistryPerson, old.registry_person_id)
        assert retired is not None
        merged = RegistryPerson(id=new_id("registry_person"), case_id=retired.case_id,
                                created_run_id=retired.created_run_id, status="active",
                                members_digest="0" * 64)  # fmt: skip
        s.add(merged)
        s.flush()
        for member in s.scalars(
            select(RegistryMember).where(RegistryMember.record_id.in_([lists.p[0], lists.p[5]]))
        ):
            member.registry_person_id = merged.id
        retired.status = "retired"
        s.add(RegistryRedirect(old_id=retired.id, new_id=merged.id,
                               run_id=retired.created_run_id, reason="merged"))  # fmt: skip
    shown = records_section(owner.get(f"{CASE}/persons/{world.public_person}").text)
    assert shown.split("<tbody>")[1].count("<tr>") == 2  # p[0] and the one merged with it
