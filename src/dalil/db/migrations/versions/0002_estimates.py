"""estimates: stored multiple systems estimation results

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dalil.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "estimates",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("stratified_by", sa.String(length=32), nullable=True),
        sa.Column("captures", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.Column("level", sa.Float(), nullable=True),
        sa.Column("documented", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("software", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "method IN ('chapman', 'lincoln', 'loglinear', 'lcmcr')",
            name=op.f("ck_estimates_method"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_estimates_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimates")),
    )
    with op.batch_alter_table("estimates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_estimates_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("estimates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estimates_case_id"))
    op.drop_table("estimates")
