"""Random bytes and random CSVs never crash the import with a traceback, and never half-import:
either every row read is stored (or, with good-rows, every good row) or nothing is."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dalil.db import Database
from dalil.db.models_registry import ListImport, ListRecord
from dalil.errors import DalilError
from dalil.registry.importing import ImportRejected, ImportResult
from dalil.registry.mapping import ColumnMapping
from dalil.registry.reading import read_list
from registry.store_support import do_import, make_case

_counter = itertools.count()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CELL = st.text(
    alphabet=st.sampled_from([*list("محمدأحمدال ,;\"'\n\r\t-/0123456789abc٣٤"), "\x00", "ـ"]),
    max_size=12,
)


def _stored(db: Database) -> tuple[int, int]:
    with db.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(ListImport)) or 0,
            session.scalar(select(func.count()).select_from(ListRecord)) or 0,
        )


def _attempt(db: Database, case_id: str, path: Path, mapping: ColumnMapping, policy: str) -> None:
    before = _stored(db)
    result: ImportResult | None = None
    failure: DalilError | None = None
    try:
        result = do_import(
            db, case_id, path, mapping=mapping, policy=policy, source=f"list {next(_counter)}"
        )
    except DalilError as error:  # anything else fails the test with its traceback
        failure = error
    if isinstance(failure, ImportRejected):
        assert failure.result.rejected_rows > 0
        assert policy == "all-or-nothing"
    elif failure is not None:
        assert failure.message  # a message for the user
    after = _stored(db)
    if result is None:
        assert after == before
    else:
        assert after == (before[0] + 1, before[1] + result.imported)
        assert result.imported + result.rejected_rows == result.rows
        if policy == "all-or-nothing":
            assert result.imported == result.rows


@FUZZ
@given(data=st.binary(max_size=400), policy=st.sampled_from(["all-or-nothing", "good-rows"]))
def test_random_bytes(db: Database, tmp_path: Path, data: bytes, policy: str) -> None:
    case_id = _case(db)
    path = tmp_path / f"random{next(_counter)}.csv"
    path.write_bytes(data)
    try:  # map the first column to the name when the file has a header, so rows are read
        first = read_list(path).headers[0]
    except DalilError:
        first = "name"  # unreadable: the import must fail the same way
    _attempt(db, case_id, path, ColumnMapping(columns={first: "full_name"}), policy)


@FUZZ
@given(
    header=st.lists(st.text(alphabet="abcنام", min_size=1, max_size=4), min_size=1, max_size=4,
                    unique=True),
    rows=st.lists(st.lists(CELL, max_size=6), max_size=8),
    policy=st.sampled_from(["all-or-nothing", "good-rows"]),
)  # fmt: skip
def test_random_csvs(
    db: Database, tmp_path: Path, header: list[str], rows: list[list[str]], policy: str
) -> None:
    case_id = _case(db)
    path = tmp_path / f"random{next(_counter)}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    fields = ["full_name", "birth_date", "age", "sex"]
    mapping = ColumnMapping(columns=dict(zip(header, fields, strict=False)))
    _attempt(db, case_id, path, mapping, policy)


_cases: dict[str, str] = {}


def _case(db: Database) -> str:
    if db.url not in _cases or not _exists(db, _cases[db.url]):
        _cases[db.url] = make_case(db, f"fuzz-{next(_counter)}")
    return _cases[db.url]


def _exists(db: Database, case_id: str) -> bool:
    from dalil.db import Case

    with db.reader() as session:
        return session.get(Case, case_id) is not None
