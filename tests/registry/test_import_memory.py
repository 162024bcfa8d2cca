"""A list is imported in constant memory: four times the rows, about the same peak.

The 2 GB case is a benchmark (bench/bench_lists_import.py; figures in docs/benchmarks.md)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from dalil.db import Database, upgrade
from registry.store_support import ROWS, do_import, make_case, write_csv


def _peak(db: Database, case_id: str, path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        result = do_import(db, case_id, path, source=path.name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result.imported, peak


@pytest.mark.slow
def test_four_times_the_rows_take_about_the_same_memory(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'memory.db'}")
    upgrade(db)
    try:
        case_id = make_case(db)
        rows = [[f"{r[0]} {n}", *r[1:]] for n in range(3000) for r in ROWS]  # 9,000 rows
        small = write_csv(tmp_path / "small.csv", rows[:2500])
        large = write_csv(tmp_path / "large.csv", rows)
        do_import(db, case_id, write_csv(tmp_path / "warm.csv", rows[:100]), source="warm-up")
        small_count, small_peak = _peak(db, case_id, small)
        large_count, large_peak = _peak(db, case_id, large)
    finally:
        db.dispose()
    assert (small_count, large_count) == (2500, 9000)
    assert large_peak < small_peak * 1.3, f"{small_peak / 1e6:.1f} MB → {large_peak / 1e6:.1f} MB"
    assert large_peak < 15_000_000
