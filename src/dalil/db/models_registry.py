"""The registry's tables (issue 4): list imports and verbatim list records, link runs, pairs,
judgements, registry persons with stable IDs and redirects.

These are bulk tables (a list may have 500,000 rows): engines write them with Core bulk inserts
inside :meth:`Database.transaction`, and the change trail (``history.py``) does not track them
row by row: the import or the link run is the recorded event. Two guarantees are enforced here and
in the database itself (triggers, created with the tables): a list record's ``raw`` row is never
changed, and a judgement is never changed (nor deleted through a session).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import instance_state

from dalil.db.base import ID, TERM, Base
from dalil.db.types import utcnow
from dalil.errors import Conflict
from dalil.values import PartialDate

ACTOR = String(128)
SHA256_HEX = String(64)


class ListImport(Base):
    """One file imported as one list (a Source): how it was read and what came of it."""

    __tablename__ = "list_imports"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    file_name: Mapped[str]
    file_sha256: Mapped[str] = mapped_column(SHA256_HEX)
    file_bytes: Mapped[int] = mapped_column(BigInteger)
    encoding: Mapped[str | None] = mapped_column(String(32))  # a CSV's codec; null for XLSX
    sheet: Mapped[str | None]
    mapping: Mapped[dict[str, Any]]
    row_count: Mapped[int] = mapped_column(Integer)
    imported_count: Mapped[int] = mapped_column(Integer)
    rejected_count: Mapped[int] = mapped_column(Integer)
    # Rows not imported (policy good-rows): [{"row", "field", "column", "code", "message"}].
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(ACTOR)
    # Each time the records were derived again with a new mapping (``importing.remap_import``):
    # [{"at", "actor", "reason", "replaced", "records", "changed"}], "replaced" the mapping used
    # until then, "changed" how many records' values changed.
    remaps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    __table_args__ = (UniqueConstraint("source_id", "file_sha256"),)


class ListRecord(Base):
    """One row of a list: ``raw`` exactly as written (never changed), derived values beside it.

    The derived columns are named as the linkage engine's ``RECORD_COLUMNS``.
    """

    __tablename__ = "list_records"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    import_id: Mapped[str] = mapped_column(ForeignKey("list_imports.id"))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict[str, Any]]
    full_name: Mapped[str | None]
    given: Mapped[str | None]
    father: Mapped[str | None]
    grandfather: Mapped[str | None]
    family: Mapped[str | None]
    mother: Mapped[str | None]
    sex: Mapped[str | None] = mapped_column(TERM)
    birth_date: Mapped[PartialDate | None]
    age: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(TERM)
    status_date: Mapped[PartialDate | None]
    death_date: Mapped[PartialDate | None]
    place: Mapped[str | None]
    governorate: Mapped[str | None]
    external_id: Mapped[str | None]
    notes: Mapped[str | None]
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        UniqueConstraint("import_id", "row_number"),
        Index(None, "case_id", "source_id"),
    )


class LinkRun(Base):
    """One run of the linkage engine over a case's list records."""

    __tablename__ = "link_runs"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    engine: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    incremental: Mapped[bool] = mapped_column(Boolean, default=False)
    model: Mapped[dict[str, Any] | None]
    calibration: Mapped[dict[str, Any] | None]
    record_count: Mapped[int | None] = mapped_column(Integer)
    person_count: Mapped[int | None] = mapped_column(Integer)
    pair_count: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(ACTOR)

    __table_args__ = (CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),)


class LinkPair(Base):
    """A scored pair of list records from one run (``record_a < record_b``)."""

    __tablename__ = "link_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("link_runs.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    record_a: Mapped[str] = mapped_column(ForeignKey("list_records.id"))
    record_b: Mapped[str] = mapped_column(ForeignKey("list_records.id"))
    match_weight: Mapped[float] = mapped_column(Float)
    match_probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("record_a < record_b", name="ordered"),
        CheckConstraint("status IN ('linked', 'review', 'unlinked')", name="status"),
        Index(None, "case_id", "status"),
        Index(None, "record_a", "record_b"),
    )


class LinkJudgement(Base):
    """A reviewer's decision on a pair: append-only (never updated or deleted)."""

    __tablename__ = "link_judgements"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    record_a: Mapped[str] = mapped_column(ForeignKey("list_records.id"))
    record_b: Mapped[str] = mapped_column(ForeignKey("list_records.id"))
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None]
    actor: Mapped[str] = mapped_column(ACTOR)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("record_a < record_b", name="ordered"),
        CheckConstraint("decision IN ('same', 'different', 'unsure')", name="decision"),
        Index(None, "case_id", "record_a", "record_b"),
    )


class RegistryPerson(Base):
    """A person of the registry: a cluster of list records, with an ID stable across runs."""

    __tablename__ = "registry_persons"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    created_run_id: Mapped[str] = mapped_column(ForeignKey("link_runs.id"))
    retired_run_id: Mapped[str | None] = mapped_column(ForeignKey("link_runs.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    members_digest: Mapped[str] = mapped_column(SHA256_HEX)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("entities.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("status IN ('active', 'retired')", name="status"),
        Index(None, "case_id", "status"),
        Index(None, "members_digest"),
    )


class RegistryMember(Base):
    """Which registry person a list record belongs to (as of the run that placed it)."""

    __tablename__ = "registry_members"

    record_id: Mapped[str] = mapped_column(ForeignKey("list_records.id"), primary_key=True)
    registry_person_id: Mapped[str] = mapped_column(ForeignKey("registry_persons.id"), index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("link_runs.id"))


class RegistryRedirect(Base):
    """An old (retired) registry person ID and the ID it became, by merge or split."""

    __tablename__ = "registry_redirects"

    old_id: Mapped[str] = mapped_column(ForeignKey("registry_persons.id"), primary_key=True)
    new_id: Mapped[str] = mapped_column(ForeignKey("registry_persons.id"), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("link_runs.id"))
    reason: Mapped[str] = mapped_column(String(16))

    __table_args__ = (CheckConstraint("reason IN ('merged', 'split')", name="reason"),)


# --- guards ------------------------------------------------------------------------------------
# In the ORM (a clear error before any SQL) and in the database (triggers), so neither a session
# nor a Core statement can change a raw row or a judgement. Deleting a judgement is refused in the
# ORM only: an audited purge of a whole case must still be able to remove it.


def _guard(session: Session, flush_context: object, instances: object) -> None:
    for obj in session.dirty:
        if isinstance(obj, ListRecord) and "raw" in instance_state(obj).committed_state:
            raise Conflict(f"list record {obj.id}: the raw row is kept as written, never changed")
        if isinstance(obj, LinkJudgement) and session.is_modified(obj):
            raise Conflict(f"judgement {obj.id} cannot be changed: add a new judgement instead")
    for obj in session.deleted:
        if isinstance(obj, LinkJudgement):
            raise Conflict(f"judgement {obj.id} cannot be deleted: add a new judgement instead")


event.listen(Session, "before_flush", _guard)

RAW_MESSAGE = "list_records.raw is kept as written and is never changed"
JUDGEMENT_MESSAGE = "link_judgements are append-only"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER list_records_raw_immutable BEFORE UPDATE OF raw ON list_records
    BEGIN SELECT RAISE(ABORT, '{RAW_MESSAGE}'); END""",
    f"""CREATE TRIGGER link_judgements_no_update BEFORE UPDATE ON link_judgements
    BEGIN SELECT RAISE(ABORT, '{JUDGEMENT_MESSAGE}'); END""",
)
POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION dalil_list_records_raw_immutable() RETURNS trigger AS $$
    BEGIN
      IF NEW.raw::text IS DISTINCT FROM OLD.raw::text THEN
        RAISE EXCEPTION '{RAW_MESSAGE}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER list_records_raw_immutable BEFORE UPDATE ON list_records
    FOR EACH ROW EXECUTE FUNCTION dalil_list_records_raw_immutable()""",
    f"""CREATE OR REPLACE FUNCTION dalil_link_judgements_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{JUDGEMENT_MESSAGE}'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER link_judgements_append_only BEFORE UPDATE ON link_judgements
    FOR EACH ROW EXECUTE FUNCTION dalil_link_judgements_append_only()""",
)


def _install_triggers() -> None:
    # SQLITE_TRIGGERS[i] and POSTGRESQL_TRIGGERS[2i:2i+2] guard the same table.
    for index, name in enumerate(("list_records", "link_judgements")):
        table = Base.metadata.tables[name]
        for sql in SQLITE_TRIGGERS[index : index + 1]:
            ddl = DDL(sql)  # type: ignore[no-untyped-call]
            event.listen(table, "after_create", ddl.execute_if(dialect="sqlite"))
        for sql in POSTGRESQL_TRIGGERS[2 * index : 2 * index + 2]:
            ddl = DDL(sql)  # type: ignore[no-untyped-call]
            event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))


_install_triggers()


__all__ = [
    "LinkJudgement",
    "LinkPair",
    "LinkRun",
    "ListImport",
    "ListRecord",
    "RegistryMember",
    "RegistryPerson",
    "RegistryRedirect",
]
