"""accountability: units, postings and positionings over time

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dalil.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def _kinds(table: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint(
            "start_kind IN ('start', 'first_cited')", name=op.f(f"ck_{table}_start_kind")
        ),
        sa.CheckConstraint("end_kind IN ('end', 'last_cited')", name=op.f(f"ck_{table}_end_kind")),
    ]


def upgrade() -> None:
    op.create_table(
        "acc_units",
        sa.Column("organisation_id", sa.String(length=24), nullable=False),
        sa.Column("unit_type", sa.String(length=48), nullable=False),
        *_stamps(),
        _fk("acc_units", "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_acc_units")),
    )
    op.create_table(
        "acc_link_details",
        sa.Column("relation_id", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=48), nullable=True),
        sa.Column("start_kind", sa.String(length=16), nullable=False),
        sa.Column("end_kind", sa.String(length=16), nullable=False),
        *_stamps(),
        *_kinds("acc_link_details"),
        _fk("acc_link_details", "relation_id", "relations"),
        sa.PrimaryKeyConstraint("relation_id", name=op.f("pk_acc_link_details")),
    )
    op.create_table(
        "acc_positionings",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("unit_id", sa.String(length=24), nullable=False),
        sa.Column("place_id", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("start_date", dalil.db.types.PartialDateType(length=16), nullable=True),
        sa.Column("start_kind", sa.String(length=16), nullable=False),
        sa.Column("end_date", dalil.db.types.PartialDateType(length=16), nullable=True),
        sa.Column("end_kind", sa.String(length=16), nullable=False),
        sa.Column("sensitivity", sa.String(length=48), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("deleted_at", dalil.db.types.UTCDateTime(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "kind IN ('base', 'area_of_operations')", name=op.f("ck_acc_positionings_kind")
        ),
        *_kinds("acc_positionings"),
        _fk("acc_positionings", "case_id", "cases"),
        _fk("acc_positionings", "unit_id", "organisations"),
        _fk("acc_positionings", "place_id", "places"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acc_positionings")),
    )
    with op.batch_alter_table("acc_positionings") as batch:
        for column in ("case_id", "place_id", "unit_id"):
            batch.create_index(batch.f(f"ix_acc_positionings_{column}"), [column])
    op.create_table(
        "acc_positioning_citations",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("positioning_id", sa.String(length=24), nullable=False),
        sa.Column("source_id", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=48), nullable=False),
        sa.Column("locator", sa.String(length=256), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("created_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", dalil.db.types.UTCDateTime(), nullable=True),
        _fk("acc_positioning_citations", "positioning_id", "acc_positionings"),
        _fk("acc_positioning_citations", "source_id", "sources"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acc_positioning_citations")),
    )
    with op.batch_alter_table("acc_positioning_citations") as batch:
        for column in ("positioning_id", "source_id"):
            batch.create_index(batch.f(f"ix_acc_positioning_citations_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("acc_positioning_citations") as batch:
        for column in ("positioning_id", "source_id"):
            batch.drop_index(batch.f(f"ix_acc_positioning_citations_{column}"))
    op.drop_table("acc_positioning_citations")
    with op.batch_alter_table("acc_positionings") as batch:
        for column in ("case_id", "place_id", "unit_id"):
            batch.drop_index(batch.f(f"ix_acc_positionings_{column}"))
    op.drop_table("acc_positionings")
    op.drop_table("acc_link_details")
    op.drop_table("acc_units")
