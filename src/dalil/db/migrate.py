"""Schema migrations with Alembic, configured in code (no alembic.ini to lose).

``dalil init`` calls :func:`upgrade`; every other command calls :func:`require_current` first, so
an old database is never written with a newer model.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dalil.db.engine import Database
from dalil.errors import DalilError


class SchemaNotReady(DalilError):
    """The database has not been created, or was made by another version of Dalil."""


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("dalil.db") / "migrations"))
    config.attributes["engine"] = db.engine
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(_script_config())
    head = script.get_current_head()
    assert head is not None
    return head


def _script_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("dalil.db") / "migrations"))
    return config


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str]:
    """Create or migrate the schema; returns (revision before, revision after)."""
    before = current_revision(db)
    command.upgrade(alembic_config(db), revision)
    after = current_revision(db)
    assert after is not None
    return before, after


def require_current(db: Database) -> None:
    current, head = current_revision(db), head_revision()
    if current is None:
        raise SchemaNotReady(
            "the database has no Dalil schema yet", hint="run `dalil init` to create it"
        )
    if current != head:
        raise SchemaNotReady(
            f"the database schema is at revision {current}, this Dalil expects {head}",
            hint="run `dalil init` to migrate it (back it up first)",
        )
