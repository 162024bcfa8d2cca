"""The schema Alembic builds is the schema the models declare, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from dalil.db import Base, Database, current_revision, head_revision, upgrade
from dalil.db.migrate import SchemaNotReady, require_current
from support import DIALECTS, new_pg_database, require_pg


def _fresh_url(dialect: str, tmp_path, name: str) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{tmp_path / name}"
    require_pg()
    return new_pg_database()


def _describe(db: Database) -> dict[str, object]:
    """Tables, columns (name, type, nullability), indexes, foreign keys, uniques, checks."""
    insp = inspect(db.engine)
    described: dict[str, object] = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        described[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)
            ],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in insp.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in insp.get_indexes(table)
            ),
            "uniques": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "checks": sorted(c["name"] or "" for c in insp.get_check_constraints(table)),
        }
    return described


@pytest.mark.parametrize("dialect", DIALECTS)
def test_fresh_schema_equals_migrated_schema(dialect: str, tmp_path) -> None:
    fresh = Database(_fresh_url(dialect, tmp_path, "fresh.db"))
    migrated = Database(_fresh_url(dialect, tmp_path, "migrated.db"))
    Base.metadata.create_all(fresh.engine)
    upgrade(migrated)
    try:
        assert _describe(migrated) == _describe(fresh)
        assert "persons" in _describe(migrated)
        with migrated.engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}),
                Base.metadata,
            )
        assert diff == []
    finally:
        fresh.dispose()
        migrated.dispose()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_upgrade_is_idempotent_and_recorded(dialect: str, tmp_path) -> None:
    db = Database(_fresh_url(dialect, tmp_path, "db.db"))
    try:
        assert current_revision(db) is None
        with pytest.raises(SchemaNotReady, match="no Dalil schema") as raised:
            require_current(db)
        assert raised.value.hint is not None
        assert "dalil init" in raised.value.hint
        assert upgrade(db) == (None, head_revision())
        assert upgrade(db) == (head_revision(), head_revision())
        require_current(db)
    finally:
        db.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()
