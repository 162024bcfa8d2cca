"""A list record's raw row and a reviewer's judgement cannot be changed, by a session or by SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm.attributes import flag_modified

from dalil.db import Database, new_id
from dalil.db.models_registry import LinkJudgement, ListRecord
from dalil.errors import Conflict
from registry.store_support import ACTOR, ROWS, do_import, make_case, record_ids, write_csv


def _records(db: Database, tmp_path: Path) -> tuple[str, list[str]]:
    case_id = make_case(db)
    result = do_import(db, case_id, write_csv(tmp_path / "list.csv", ROWS))
    assert result.import_id is not None
    return case_id, record_ids(db, result.import_id)


def _replace_raw(db: Database, record_id: str) -> None:
    with db.transaction(ACTOR) as session:
        record = session.get(ListRecord, record_id)
        assert record is not None
        record.raw = {**record.raw, "الجنس": "أنثى"}


def _mutate_raw(db: Database, record_id: str) -> None:
    with db.transaction(ACTOR) as session:
        record = session.get(ListRecord, record_id)
        assert record is not None
        record.raw["الجنس"] = "أنثى"  # changed in place, then flagged as code would
        flag_modified(record, "raw")


def test_the_raw_row_cannot_be_changed_through_a_session(db: Database, tmp_path: Path) -> None:
    _, (first, *_) = _records(db, tmp_path)
    with pytest.raises(Conflict, match="raw row is kept as written"):
        _replace_raw(db, first)
    with pytest.raises(Conflict, match="raw row is kept as written"):
        _mutate_raw(db, first)
    with db.reader() as session:
        record = session.get(ListRecord, first)
        assert record is not None
        assert record.raw["الجنس"] == "ذكر"


def test_the_raw_row_cannot_be_changed_by_sql(db: Database, tmp_path: Path) -> None:
    _, (first, *_) = _records(db, tmp_path)
    with pytest.raises(DatabaseError, match="never changed"), db.transaction(ACTOR) as session:
        session.execute(update(ListRecord).where(ListRecord.id == first).values(raw={"x": "y"}))
    # Derived columns may be corrected (e.g. a place linked later).
    with db.transaction(ACTOR) as session:
        session.execute(update(ListRecord).where(ListRecord.id == first).values(notes="checked"))
    with db.reader() as session:
        record = session.get(ListRecord, first)
        assert record is not None
        assert record.notes == "checked"
        assert record.raw["الجنس"] == "ذكر"


def _change_judgement(db: Database, judgement_id: str, *, delete: bool) -> None:
    with db.transaction(ACTOR) as session:
        judgement = session.get(LinkJudgement, judgement_id)
        assert judgement is not None
        if delete:
            session.delete(judgement)
        else:
            judgement.decision = "different"


def test_judgements_are_append_only(db: Database, tmp_path: Path) -> None:
    case_id, (a, b, _) = _records(db, tmp_path)
    first, second = sorted((a, b))
    judgement_id = new_id("judgement")
    with db.transaction(ACTOR) as session:
        session.add(
            LinkJudgement(
                id=judgement_id, case_id=case_id, record_a=first, record_b=second,
                decision="same", actor=ACTOR,
            )
        )  # fmt: skip
    with pytest.raises(Conflict, match="cannot be changed"):
        _change_judgement(db, judgement_id, delete=False)
    with pytest.raises(Conflict, match="cannot be deleted"):
        _change_judgement(db, judgement_id, delete=True)
    with pytest.raises(DatabaseError, match="append-only"), db.transaction(ACTOR) as session:
        session.execute(update(LinkJudgement).values(decision="unsure"))
    with db.reader() as session:
        assert session.scalars(select(LinkJudgement.decision)).all() == ["same"]


def test_a_database_made_from_the_models_has_the_same_guards(tmp_path: Path) -> None:
    from dalil.db import Base

    db = Database(f"sqlite:///{tmp_path / 'models.db'}")
    Base.metadata.create_all(db.engine)
    try:
        with db.engine.connect() as connection:
            triggers = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            ).scalars()
            assert list(triggers) == ["link_judgements_no_update", "list_records_raw_immutable"]
    finally:
        db.dispose()
