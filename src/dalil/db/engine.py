"""Connections to SQLite (embedded default) or PostgreSQL (server), behind one API.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and real ``BEGIN`` so that
transactions and savepoints behave as on PostgreSQL. Engines use :meth:`Database.transaction`:
everything inside commits together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dalil.db import history
from dalil.errors import ConfigError


class DalilSession(Session):
    """Session whose flushes write the change trail (see :mod:`dalil.db.history`)."""


history.install(DalilSession)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    assert isinstance(dbapi_connection, sqlite3.Connection)
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


WRITE = "dalil_write"


def _sqlite_begin(connection: Any) -> None:
    # A write transaction takes SQLite's write lock up front (waiting up to busy_timeout):
    # a deferred one that reads first fails at once when another writer commits meanwhile.
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# Connections kept open for reuse. SQLAlchemy's default (5, and 10 more that are closed as soon as
# they come back) made a served API under ~10 concurrent requests open a new connection for most
# of them: a new PostgreSQL server process each time, or a SQLite connection with a cold cache.
# The API serves up to 40 requests at once (FastAPI's thread pool).
POOL_SIZE = 20
POOL_OVERFLOW = 20
POOL: dict[str, Any] = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}


def make_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot create the data folder {folder}: {exc.strerror}",
                    hint="set DALIL_HOME to a folder you can write to",
                ) from None
        pooled = {} if parsed.database in (None, "", ":memory:") else POOL
        engine = create_engine(parsed, echo=echo, **pooled)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True, **POOL)


class Database:
    """One Dalil database: an engine plus transactional sessions that record history."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._sessions = sessionmaker(self.engine, class_=DalilSession, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions.begin() as session:
            session.info[history.ACTOR_KEY] = actor
            session.connection(execution_options={WRITE: True})
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading; it refuses to write (no actor), and is closed at the end.

        Closing ends the transaction without writing; loaded objects stay readable, detached.
        """
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
