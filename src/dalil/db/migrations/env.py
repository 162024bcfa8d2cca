"""Alembic environment: runs on the engine handed over by :mod:`dalil.db.migrate`."""

from alembic import context

import dalil.db  # noqa: F401 - registers every table
from dalil.db.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    context.run_migrations()
