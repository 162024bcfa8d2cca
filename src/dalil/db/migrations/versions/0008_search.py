"""search: indexed person-name search (SQLite FTS5 trigram, PostgreSQL pg_trgm)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled by the search-index work (issue 6)


def downgrade() -> None:
    pass
