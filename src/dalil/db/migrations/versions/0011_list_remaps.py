"""list_imports.remaps: each time an import's records were derived again with a new mapping

A list imported with a wrong mapping (the father's and mother's columns swapped, dates read
month-first) is mended by deriving its records' values again from their rows as written
(``dalil lists remap``); the raw rows never change. Each remap keeps here who did it, when, why
and the mapping it replaced. Existing imports have none.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("list_imports") as batch:
        batch.add_column(sa.Column("remaps", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("list_imports") as batch:
        batch.drop_column("remaps")
