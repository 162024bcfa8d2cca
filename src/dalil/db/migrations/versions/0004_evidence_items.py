"""evidence items: blobs, items, acquisitions, derivatives, fingerprints

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dalil.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blake3", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=128), nullable=True),
        sa.Column("first_seen_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("source_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=True),
        sa.Column("media", sa.JSON(), nullable=True),
        sa.Column("media_error", sa.Text(), nullable=True),
        sa.Column("sensitivity", sa.String(length=48), nullable=False),
        sa.Column("created_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_evidence_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_items_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_evidence_items_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
        sa.UniqueConstraint("case_id", "sha256", name=op.f("uq_evidence_items_case_id_sha256")),
    )
    with op.batch_alter_table("evidence_items") as batch:
        batch.create_index(batch.f("ix_evidence_items_case_id"), ["case_id"])
        batch.create_index(batch.f("ix_evidence_items_sha256"), ["sha256"])
        batch.create_index(batch.f("ix_evidence_items_source_id"), ["source_id"])
    op.create_table(
        "evidence_acquisitions",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("item_id", sa.String(length=24), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("collected_by", sa.String(length=256), nullable=False),
        sa.Column("acquired_from", sa.String(length=512), nullable=True),
        sa.Column("supplier_hash", sa.String(length=160), nullable=True),
        sa.Column("supplier_hash_ok", sa.Boolean(), nullable=True),
        sa.Column("tool", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_acquisitions_item_id_evidence_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_acquisitions")),
    )
    with op.batch_alter_table("evidence_acquisitions") as batch:
        batch.create_index(batch.f("ix_evidence_acquisitions_item_id"), ["item_id"])
    op.create_table(
        "evidence_derivatives",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("item_id", sa.String(length=24), nullable=False),
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=True),
        sa.Column("tool", sa.String(length=64), nullable=False),
        sa.Column("created_at", dalil.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_derivatives_item_id_evidence_items"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_derivatives_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_derivatives")),
    )
    with op.batch_alter_table("evidence_derivatives") as batch:
        batch.create_index(batch.f("ix_evidence_derivatives_item_id"), ["item_id"])
    op.create_table(
        "evidence_fingerprints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=24), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_fingerprints_item_id_evidence_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_fingerprints")),
    )
    with op.batch_alter_table("evidence_fingerprints") as batch:
        batch.create_index(
            batch.f("ix_evidence_fingerprints_item_id_algorithm"), ["item_id", "algorithm"]
        )


def downgrade() -> None:
    op.drop_table("evidence_fingerprints")
    op.drop_table("evidence_derivatives")
    op.drop_table("evidence_acquisitions")
    op.drop_table("evidence_items")
    op.drop_table("blobs")
