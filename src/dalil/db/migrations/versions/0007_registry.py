"""registry: list imports, list records, link runs, pairs, judgements, registry persons, redirects

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dalil.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = dalil.db.types.UTCDateTime
DATE = dalil.db.types.PartialDateType
ID = sa.String(length=24)
TERM = sa.String(length=48)

RAW = "list_records.raw is kept as written and is never changed"
JUDGEMENTS = "link_judgements are append-only"
# Written out here (not imported from the models) so that this revision never changes.
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER list_records_raw_immutable BEFORE UPDATE OF raw ON list_records
    BEGIN SELECT RAISE(ABORT, '{RAW}'); END""",
    f"""CREATE TRIGGER link_judgements_no_update BEFORE UPDATE ON link_judgements
    BEGIN SELECT RAISE(ABORT, '{JUDGEMENTS}'); END""",
)
POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION dalil_list_records_raw_immutable() RETURNS trigger AS $$
    BEGIN
      IF NEW.raw::text IS DISTINCT FROM OLD.raw::text THEN
        RAISE EXCEPTION '{RAW}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER list_records_raw_immutable BEFORE UPDATE ON list_records
    FOR EACH ROW EXECUTE FUNCTION dalil_list_records_raw_immutable()""",
    f"""CREATE OR REPLACE FUNCTION dalil_link_judgements_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{JUDGEMENTS}'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER link_judgements_append_only BEFORE UPDATE ON link_judgements
    FOR EACH ROW EXECUTE FUNCTION dalil_link_judgements_append_only()""",
)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def _check(table: str, name: str, sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    op.create_table(
        "list_imports",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("source_id", ID, nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        _fk("list_imports", "case_id", "cases"),
        _fk("list_imports", "source_id", "sources"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_imports")),
        sa.UniqueConstraint(
            "source_id", "file_sha256", name=op.f("uq_list_imports_source_id_file_sha256")
        ),
    )
    _index("list_imports", "case_id")
    _index("list_imports", "source_id")

    op.create_table(
        "list_records",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("import_id", ID, nullable=False),
        sa.Column("source_id", ID, nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        *(
            sa.Column(name, sa.Text(), nullable=True)
            for name in ("full_name", "given", "father", "grandfather", "family", "mother")
        ),
        sa.Column("sex", TERM, nullable=True),
        sa.Column("birth_date", DATE(length=16), nullable=True),
        sa.Column("age", sa.Float(), nullable=True),
        sa.Column("status", TERM, nullable=True),
        sa.Column("status_date", DATE(length=16), nullable=True),
        sa.Column("death_date", DATE(length=16), nullable=True),
        *(
            sa.Column(name, sa.Text(), nullable=True)
            for name in ("place", "governorate", "external_id", "notes")
        ),
        sa.Column("place_id", ID, nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        _fk("list_records", "case_id", "cases"),
        _fk("list_records", "import_id", "list_imports"),
        _fk("list_records", "source_id", "sources"),
        _fk("list_records", "place_id", "places"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_records")),
        sa.UniqueConstraint(
            "import_id", "row_number", name=op.f("uq_list_records_import_id_row_number")
        ),
    )
    _index("list_records", "case_id", "source_id")
    _index("list_records", "place_id")

    op.create_table(
        "link_runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("incremental", sa.Boolean(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=True),
        sa.Column("calibration", sa.JSON(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=True),
        sa.Column("person_count", sa.Integer(), nullable=True),
        sa.Column("pair_count", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        _check("link_runs", "status", "status IN ('running', 'done', 'failed')"),
        _fk("link_runs", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_runs")),
    )
    _index("link_runs", "case_id")

    op.create_table(
        "link_pairs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("record_a", ID, nullable=False),
        sa.Column("record_b", ID, nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _check("link_pairs", "ordered", "record_a < record_b"),
        _check("link_pairs", "status", "status IN ('linked', 'review', 'unlinked')"),
        _fk("link_pairs", "run_id", "link_runs"),
        _fk("link_pairs", "case_id", "cases"),
        _fk("link_pairs", "record_a", "list_records"),
        _fk("link_pairs", "record_b", "list_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_pairs")),
    )
    _index("link_pairs", "run_id")
    _index("link_pairs", "case_id", "status")
    _index("link_pairs", "record_a", "record_b")

    op.create_table(
        "link_judgements",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("record_a", ID, nullable=False),
        sa.Column("record_b", ID, nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        _check("link_judgements", "ordered", "record_a < record_b"),
        _check("link_judgements", "decision", "decision IN ('same', 'different', 'unsure')"),
        _fk("link_judgements", "case_id", "cases"),
        _fk("link_judgements", "record_a", "list_records"),
        _fk("link_judgements", "record_b", "list_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_judgements")),
    )
    _index("link_judgements", "case_id", "record_a", "record_b")

    op.create_table(
        "registry_persons",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("created_run_id", ID, nullable=False),
        sa.Column("retired_run_id", ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("members_digest", sa.String(length=64), nullable=False),
        sa.Column("person_id", ID, nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        _check("registry_persons", "status", "status IN ('active', 'retired')"),
        _fk("registry_persons", "case_id", "cases"),
        _fk("registry_persons", "created_run_id", "link_runs"),
        _fk("registry_persons", "retired_run_id", "link_runs"),
        _fk("registry_persons", "person_id", "entities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_persons")),
    )
    _index("registry_persons", "case_id", "status")
    _index("registry_persons", "members_digest")

    op.create_table(
        "registry_members",
        sa.Column("record_id", ID, nullable=False),
        sa.Column("registry_person_id", ID, nullable=False),
        sa.Column("run_id", ID, nullable=False),
        _fk("registry_members", "record_id", "list_records"),
        _fk("registry_members", "registry_person_id", "registry_persons"),
        _fk("registry_members", "run_id", "link_runs"),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_registry_members")),
    )
    _index("registry_members", "registry_person_id")

    op.create_table(
        "registry_redirects",
        sa.Column("old_id", ID, nullable=False),
        sa.Column("new_id", ID, nullable=False),
        sa.Column("run_id", ID, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        _check("registry_redirects", "reason", "reason IN ('merged', 'split')"),
        _fk("registry_redirects", "old_id", "registry_persons"),
        _fk("registry_redirects", "new_id", "registry_persons"),
        _fk("registry_redirects", "run_id", "link_runs"),
        sa.PrimaryKeyConstraint("old_id", "new_id", name=op.f("pk_registry_redirects")),
    )

    triggers = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for sql in triggers:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS dalil_list_records_raw_immutable() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS dalil_link_judgements_append_only() CASCADE")
    for table in (
        "registry_redirects",
        "registry_members",
        "registry_persons",
        "link_judgements",
        "link_pairs",
        "link_runs",
        "list_records",
        "list_imports",
    ):
        op.drop_table(table)
