"""search_counts: how many search-index rows each token has (a search picks its rarest word)

The table is derived data, filled here from the index rows already stored, one row per case,
key type, token and sensitivity (later writes add rows of their changes; see
``dalil.documentation.search_counts``). The SQL is this migration's own, so that it keeps
working whatever the search code becomes.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
KEY = ("case_id", "key_type", "token", "sensitivity")


def upgrade() -> None:
    op.create_table(
        "person_search_counts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("key_type", sa.String(length=1), nullable=False),
        sa.Column("token", TOKEN, nullable=False),
        sa.Column("sensitivity", sa.String(length=48), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_search_counts")),
    )
    op.create_index(
        op.f("ix_person_search_counts_case_id_key_type_token_sensitivity_n"),
        "person_search_counts",
        [*KEY, "n"],
    )
    op.execute(
        "INSERT INTO person_search_counts (case_id, key_type, token, sensitivity, n) "
        "SELECT case_id, key_type, token, sensitivity, count(*) FROM person_search_keys "
        "GROUP BY case_id, key_type, token, sensitivity"
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_person_search_counts_case_id_key_type_token_sensitivity_n"),
        "person_search_counts",
    )
    op.drop_table("person_search_counts")
