"""access: users, roles per case, sessions, tokens, data keys, confidential values, audit

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dalil.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = dalil.db.types.UTCDateTime


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.create_index(batch.f(f"ix_{table}_{column}"), [column])


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC(), nullable=True),
        sa.Column("disabled_at", UTC(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=24), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC(), nullable=True),
        _fk("recovery_codes", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    _indexes("recovery_codes", "user_id")
    op.create_table(
        "memberships",
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("user_id", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("granted_at", UTC(), nullable=False),
        sa.Column("granted_by", sa.String(length=128), nullable=False),
        _fk("memberships", "case_id", "cases"),
        _fk("memberships", "user_id", "users"),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_memberships")),
    )
    _indexes("memberships", "user_id")
    op.create_table(
        "user_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=24), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("last_seen_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("revoked_at", UTC(), nullable=True),
        _fk("user_sessions", "user_id", "users"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_sessions")),
    )
    _indexes("user_sessions", "user_id")
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("revoked_at", UTC(), nullable=True),
        _fk("api_tokens", "user_id", "users"),
        _fk("api_tokens", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    _indexes("api_tokens", "case_id", "user_id")
    op.create_table(
        "case_keys",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("master_key_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _fk("case_keys", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_keys")),
    )
    _indexes("case_keys", "case_id")
    op.create_table(
        "confidential_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("record_id", sa.String(length=24), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=24), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        _fk("confidential_values", "case_id", "cases"),
        _fk("confidential_values", "key_id", "case_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confidential_values")),
        sa.UniqueConstraint(
            "case_id",
            "record_id",
            "field",
            name=op.f("uq_confidential_values_case_id_record_id_field"),
        ),
    )
    _indexes("confidential_values", "case_id", "key_id", "record_id")
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("case_id", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
    )
    _indexes("audit_entries", "case_id")
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )


def downgrade() -> None:
    for table in (
        "audit_head",
        "audit_entries",
        "confidential_values",
        "case_keys",
        "api_tokens",
        "user_sessions",
        "memberships",
        "recovery_codes",
        "users",
    ):
        op.drop_table(table)
