"""evidence: the custody log (leaves, subtree nodes) and its signed checkpoints

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dalil.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custody_leaves",
        sa.Column(
            "idx",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=80), nullable=True),
        sa.Column("case_id", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_custody_leaves")),
    )
    with op.batch_alter_table("custody_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custody_leaves_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_custody_leaves_item"), ["item"], unique=False)

    op.create_table(
        "custody_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("level >= 0 AND level < 64", name=op.f("ck_custody_nodes_level")),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_custody_nodes")),
    )
    op.create_table(
        "custody_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("custody_checkpoints")
    op.drop_table("custody_nodes")
    with op.batch_alter_table("custody_leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_leaves_item"))
        batch_op.drop_index(batch_op.f("ix_custody_leaves_case_id"))
    op.drop_table("custody_leaves")
