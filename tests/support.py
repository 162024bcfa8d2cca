"""Test support: the PostgreSQL server for the tests, and per-session databases on it.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres, trust auth; override with
DALIL_TEST_PG_URL). Each test session creates its own databases there and drops them at the end.
With CI=true a missing server fails the run; otherwise its tests are skipped with a loud notice.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dalil.db import Database, upgrade

PG_ADMIN_URL = os.environ.get(
    "DALIL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DIALECTS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

_pg_problem: str | None = None
_pg_checked = False
_pg_databases: list[str] = []


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can (checked once)."""
    global _pg_problem, _pg_checked
    if not _pg_checked:
        _pg_checked = True
        try:
            engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 5})
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            engine.dispose()
        except Exception as exc:  # any failure to connect means: no server for the tests
            _pg_problem = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return _pg_problem


def require_pg() -> None:
    problem = pg_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"PostgreSQL is required when CI=true but unusable: {problem}", pytrace=False)
    pytest.skip(f"PostgreSQL not available ({problem})")


def new_pg_database() -> str:
    """A new empty PostgreSQL database for this test session; returns its URL."""
    name = f"dalil_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _pg_databases.append(name)
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def database_at(dialect: str, tmp_path: Path, revision: str) -> Iterator[Database]:
    """A new database, as a Dalil of schema ``revision`` left it: a SQLite file in ``tmp_path``
    or a new PostgreSQL database, migrated that far only; disposed at the end."""
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / f'at-{revision}.db'}"
    else:
        require_pg()
        url = new_pg_database()
    db = Database(url)
    try:
        upgrade(db, revision)
        yield db
    finally:
        db.dispose()


def drop_pg_databases() -> None:
    if not _pg_databases:
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in _pg_databases:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    _pg_databases.clear()


def pg_skip_notice() -> str | None:
    """The notice to print when PostgreSQL tests were skipped outside CI."""
    if not _pg_checked or _pg_problem is None or IN_CI:
        return None
    where = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
    return f"PostgreSQL at {where} is not usable: {_pg_problem}"
