"""The change trail records true before-values, even for columns changed without being read."""

from __future__ import annotations

from sqlalchemy import select

from dalil.db import Change, Database, Person
from dalil.documentation import NameInput, add_person, create_case


def test_update_of_unloaded_column_records_the_old_value(db: Database) -> None:
    with db.transaction("alice") as session:
        case = create_case(session, "c1", title_en="C")
        person = add_person(
            session, case, [NameInput(full="Sami al-Mithal")], {"status": "missing", "sex": "male"}
        )
        person_id = person.id
    with db.transaction("bob") as session:
        # A fresh object whose status column is expired: assigned before it is ever read.
        fresh = session.get(Person, person_id)
        assert fresh is not None
        session.expire(fresh, ["status"])
        fresh.status = "killed"
    with db.reader() as session:
        change = session.scalars(
            select(Change).where(Change.row_id == person_id, Change.action == "update")
        ).one()
    assert change.actor == "bob"
    assert change.before == {"status": "missing"}
    assert change.after == {"status": "killed"}
