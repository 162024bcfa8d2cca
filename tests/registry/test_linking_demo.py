"""The demo's registry: its three synthetic lists imported as list records and linked, once."""

from __future__ import annotations

from sqlalchemy import func, select

from dalil.db import Claim, Database, stable_id
from dalil.db.models_registry import LinkRun, ListRecord, RegistryMember
from dalil.demo import build
from dalil.demo.registry import LISTS, ensure_registry


def test_the_demo_lists_become_list_records_in_one_link_run(db: Database) -> None:
    build(db)
    case_id = stable_id("case", "tadamon")
    with db.reader() as s:
        for key in LISTS:
            source = stable_id("source", "tadamon", key)
            documented = s.scalar(
                select(func.count(func.distinct(Claim.subject_id))).where(Claim.source_id == source)
            )
            rows = s.scalar(
                select(func.count()).select_from(ListRecord).where(ListRecord.source_id == source)
            )
            assert rows == documented > 0  # one row per person the list documents
        latin = s.scalars(
            select(ListRecord.given).where(
                ListRecord.source_id == stable_id("source", "tadamon", "synthetic_list_b")
            )
        ).all()
        assert all(name is None or name.isascii() for name in latin)  # list B is transliterated
        runs = s.scalars(select(LinkRun).where(LinkRun.case_id == case_id)).all()
        placed = s.scalar(select(func.count()).select_from(RegistryMember))
        records = s.scalar(select(func.count()).select_from(ListRecord))
    assert [r.status for r in runs] == ["done"]
    assert placed == records  # every record in a registry person
    assert ensure_registry(db, "tadamon") is None  # built once: nothing more on a second build
