"""The person-name search index: one row per searchable word of each name of a live person.

Derived data only, rebuilt from ``person_names`` at will (:mod:`dalil.documentation.search_index`
keeps it in step with every flush and can rebuild it whole); never the only copy of anything.
Deleted persons have no rows, so a search cannot list them; the person's sensitivity is copied
here so that a page and its total are counted in the index, without loading records the caller
may not see. Each row also carries all the words of its name (of the same kind), so that a
query's other words are checked on the row the search is reading, not by a look-up per row.

:class:`PersonSearchCount` says how many index rows each token has, so that a search picks its
rarest word without counting the index (:mod:`dalil.documentation.search_counts`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

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
    # Every token of the name of this key type, sorted, between spaces (" ahmad hassan sami "),
    # or None when that would be too long for an index entry (then a search looks them up).
    words: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # The search reads only this key: case, type, a range of tokens, then the levels, and
        # the name's words beside it (SQLite stores them in this B-tree, the table being
        # WITHOUT ROWID; PostgreSQL needs them INCLUDEd, or it reads the heap for every row).
        PrimaryKeyConstraint(
            "case_id",
            "key_type",
            "token",
            "sensitivity",
            "person_id",
            "name_id",
            postgresql_include=["words"],
        ),
        # A name's other words (a query's second word) and the rows to drop when a name changes.
        Index(None, "name_id", "key_type", "token"),
        {"sqlite_with_rowid": False},
    )


class PersonSearchCount(Base):
    """A change to how many index rows a token has under a case, key type and sensitivity.

    The count is the sum of ``n`` over the rows of that key: a writer adds a row with its own
    change and folds in the rows no other writer holds, never updating a shared row (see
    :mod:`dalil.documentation.search_counts`). Derived data, like the index.
    """

    __tablename__ = "person_search_counts"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    case_id: Mapped[str] = mapped_column(ID)
    key_type: Mapped[str] = mapped_column(String(1))
    token: Mapped[str] = mapped_column(TOKEN)
    sensitivity: Mapped[str] = mapped_column(TERM)
    n: Mapped[int] = mapped_column(Integer)

    # A token's rows (or a prefix's range of tokens) and their counts, read from the index alone.
    __table_args__ = (Index(None, "case_id", "key_type", "token", "sensitivity", "n"),)


class position_in(GenericFunction[int]):
    """Where ``needle`` first occurs in ``haystack`` (1-based; 0 when it does not), comparing
    bytes, not by a collation or case (SQLite ``instr``, PostgreSQL ``strpos``)."""

    type = Integer()
    inherit_cache = True


@compiles(position_in)
def _instr(element: position_in, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(position_in, "postgresql")
def _strpos(element: position_in, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


__all__ = ["TRANSLIT", "WORD", "PersonSearchCount", "PersonSearchKey", "position_in"]
