"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (see ``support.py``). With CI=true a missing server
fails the run; otherwise its tests are skipped and a loud notice ends the run.
"""

from __future__ import annotations

import os

# The CLI's Rich consoles are made when dalil.cli is first imported (below, through clihelp), and
# take their width from COLUMNS then. Wide, so that no expected line is wrapped, whichever
# process imports it first: a pytest-xdist worker has no terminal and would get 80.
os.environ["COLUMNS"] = "200"

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from cli.clihelp import Cli
from dalil.db import Base, Database, upgrade
from support import DIALECTS, drop_pg_databases, new_pg_database, pg_skip_notice, require_pg

__all__ = ["DIALECTS"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    drop_pg_databases()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    notice = pg_skip_notice()
    if notice is not None:
        terminalreporter.write_sep("!", "POSTGRESQL TESTS WERE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(notice)
        terminalreporter.write_line("Half of the suite did not run. CI=true makes this an error.")


@dataclass
class Templates:
    sqlite_file: Path | None = None
    pg_url: str | None = None


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates()


def _sqlite_template(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if templates.sqlite_file is None:
        path = tmp_path_factory.mktemp("template") / "dalil.db"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        templates.sqlite_file = path
    return templates.sqlite_file


def _pg_session_db(templates: Templates) -> str:
    if templates.pg_url is None:
        url = new_pg_database()
        db = Database(url)
        upgrade(db)
        db.dispose()
        templates.pg_url = url
    return templates.pg_url


def _truncate(url: str) -> None:
    """Empty every table (DELETE in reverse dependency order: much faster than TRUNCATE here)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(params=DIALECTS)
def db_url(
    request: pytest.FixtureRequest,
    templates: Templates,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """The URL of an empty, migrated Dalil database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "dalil.db"
        shutil.copyfile(_sqlite_template(templates, tmp_path_factory), path)
        return f"sqlite:///{path}"
    require_pg()
    url = _pg_session_db(templates)
    _truncate(url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a database with no schema at all; parametrise with ``dialect``."""
    dialect = getattr(request, "param", "sqlite")
    if dialect == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    require_pg()
    return new_pg_database()


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_url: str,
) -> Cli:
    """``dalil`` run in-process on the ``db_url`` database (SQLite, then PostgreSQL)."""
    return Cli(monkeypatch, capsys, tmp_path, db_url)
