"""search_words: each search-index row carries its name's words (checked in place, no look-ups)

The index is derived data: the table is made anew with the ``words`` column (and, on
PostgreSQL, a primary key that INCLUDEs it) and filled from the names already stored, by the
same derivation every write uses. Downgrading leaves the 0008 table empty: run
``dalil person reindex`` with that Dalil afterwards.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
KEY = ("case_id", "key_type", "token", "sensitivity", "person_id", "name_id")


def _create(*, words: bool) -> None:
    extra = [sa.Column("words", sa.Text(), nullable=True)] if words else []
    key = sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_person_search_keys"))
    if words:  # SQLite keeps them in the primary key's B-tree anyway (WITHOUT ROWID)
        key.dialect_options["postgresql"]["include"] = ["words"]
    op.create_table(
        "person_search_keys",
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("key_type", sa.String(length=1), nullable=False),
        sa.Column("token", TOKEN, nullable=False),
        sa.Column("sensitivity", sa.String(length=48), nullable=False),
        sa.Column("person_id", sa.String(length=24), nullable=False),
        sa.Column("name_id", sa.String(length=24), nullable=False),
        *extra,
        sa.ForeignKeyConstraint(
            ["name_id"],
            ["person_names.id"],
            name=op.f("fk_person_search_keys_name_id_person_names"),
            ondelete="CASCADE",
        ),
        key,
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_person_search_keys_name_id_key_type_token"),
        "person_search_keys",
        ["name_id", "key_type", "token"],
    )


def _drop() -> None:
    op.drop_index(op.f("ix_person_search_keys_name_id_key_type_token"), "person_search_keys")
    op.drop_table("person_search_keys")


def upgrade() -> None:
    _drop()
    _create(words=True)
    from dalil.documentation.search_index import rebuild_index

    rebuild_index(op.get_bind(), counts=False)  # 0010 makes the counts' table and fills it


def downgrade() -> None:
    _drop()
    _create(words=False)
