"""reviewed_probability: the chance the case's reviewers' decisions give an uncertain pair

A link run whose case has enough *same* and *different* decisions decides the pairs of its review
band by what those decisions teach (``dalil.registry.linkage.reviewed``); the pair keeps the
model's own probability beside it. Earlier runs have none (NULL).

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
    with op.batch_alter_table("link_pairs") as batch:
        batch.add_column(sa.Column("reviewed_probability", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_pairs") as batch:
        batch.drop_column("reviewed_probability")
