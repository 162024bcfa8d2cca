"""The person-name search index: one row per searchable word of each name of a live person.

Derived data only, rebuilt from ``person_names`` at will (:mod:`dalil.documentation.search` keeps
it in step with every flush and can rebuild it whole); never the only copy of anything. Deleted
persons have no rows, so a search cannot list them; the person's sensitivity is copied here so
that a page and its total are counted in the index, without loading records the caller may not
see.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from dalil.db.base import ID, TERM, Base

# Byte order on both dialects, so that a prefix is one range of the index (PostgreSQL's default
# collation would order by language rules, where a prefix is not a range).
TOKEN = String(200).with_variant(String(200, collation="C"), "postgresql")

WORD = "w"  # an Arabic-normalised word of the name (dalil.values.search_key), matched by prefix
TRANSLIT = "t"  # a transliteration key (dalil.registry.names.translit_key), matched exactly


class PersonSearchKey(Base):
    """A word of a person's name, under its case and the person's sensitivity."""

    __tablename__ = "person_search_keys"

    case_id: Mapped[str] = mapped_column(ID)
    key_type: Mapped[str] = mapped_column(String(1))
    token: Mapped[str] = mapped_column(TOKEN)
    sensitivity: Mapped[str] = mapped_column(TERM)
    person_id: Mapped[str] = mapped_column(ID)
    name_id: Mapped[str] = mapped_column(ForeignKey("person_names.id", ondelete="CASCADE"))

    __table_args__ = (
        # The search reads only this key: case, type, a range of tokens, then the levels.
        PrimaryKeyConstraint("case_id", "key_type", "token", "sensitivity", "person_id", "name_id"),
        # A name's other words (a query's second word) and the rows to drop when a name changes.
        Index(None, "name_id", "key_type", "token"),
        {"sqlite_with_rowid": False},
    )


__all__ = ["TRANSLIT", "WORD", "PersonSearchKey"]
