"""The database fixture hands every test an empty database, on both dialects."""

from sqlalchemy import func, select

from dalil.db import Case, Change, Database
from dalil.documentation import create_case


def test_each_test_starts_empty_then_writes(db: Database) -> None:
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(Change)) == 0
    with db.transaction("tester") as session:
        create_case(session, "leftover", title_en="Left over")
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_previous_test_left_nothing(db: Database) -> None:
    with db.reader() as session:
        assert session.scalar(select(Case.slug)) is None
