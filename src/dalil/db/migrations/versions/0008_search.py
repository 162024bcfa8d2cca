"""search: the person-name search index (words and transliteration keys, B-tree on prefixes)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "person_search_keys",
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("key_type", sa.String(length=1), nullable=False),
        sa.Column("token", TOKEN, nullable=False),
        sa.Column("sensitivity", sa.String(length=48), nullable=False),
        sa.Column("person_id", sa.String(length=24), nullable=False),
        sa.Column("name_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["name_id"],
            ["person_names.id"],
            name=op.f("fk_person_search_keys_name_id_person_names"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "case_id",
            "key_type",
            "token",
            "sensitivity",
            "person_id",
            "name_id",
            name=op.f("pk_person_search_keys"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_person_search_keys_name_id_key_type_token"),
        "person_search_keys",
        ["name_id", "key_type", "token"],
    )
    # Filled from the names already stored by 0009, which makes this table anew with the
    # columns today's derivation writes (filling it here would write a column it lacks).


def downgrade() -> None:
    op.drop_index(op.f("ix_person_search_keys_name_id_key_type_token"), "person_search_keys")
    op.drop_table("person_search_keys")
