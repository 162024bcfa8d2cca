"""Benchmark: importing a very large victim list (default 2 GB of CSV) in constant memory.

Writes a synthetic Arabic list (invented names; a few bad rows) of the size asked, then runs
``dalil.registry.importing.import_list`` on it into a fresh SQLite (or the PostgreSQL URL given)
with the good-rows policy, and prints rows, time, rows per second and the process's peak resident
memory. The file is written once into --dir and reused. ``--remap`` then derives every record
again with the mapping's mother column read as the father's (``dalil lists remap``: the mend for
a wrong mapping) and prints its time and peak memory the same way.

Run: ``nice .venv/bin/python bench/bench_lists_import.py [--mb 2048] [--dir /tmp/dalil-bench]
[--url postgresql+psycopg://...] [--remap]``.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import tempfile
import time
from pathlib import Path

from dalil.db import Case, Database, upgrade
from dalil.documentation import create_case
from dalil.registry.importing import import_list
from dalil.registry.mapping import ColumnMapping

GIVEN = ["محمد", "أحمد", "عبد الله", "خالد", "عمر", "علي", "حسن", "يوسف", "سارة", "فاطمة", "مريم"]
FAMILY = ["الخطيب", "السيد", "العلي", "الحسن", "النجار", "الأحمد", "الصالح", "المصري", "الشامي"]
PLACES = ["دمشق", "حمص", "حلب", "إدلب", "درعا", "حماة", "دير الزور"]
HEADER = "الاسم الكامل,اسم الأم,الجنس,تاريخ الميلاد,الوضع,تاريخ الوفاة,المحافظة,ملاحظات\n"
MAPPING = ColumnMapping(
    columns={
        "الاسم الكامل": "full_name",
        "اسم الأم": "mother",
        "الجنس": "sex",
        "تاريخ الميلاد": "birth_date",
        "الوضع": "status",
        "تاريخ الوفاة": "death_date",
        "المحافظة": "governorate",
        "ملاحظات": "notes",
    }
)


def write_list(path: Path, megabytes: int) -> None:
    rng = random.Random(4)
    target = megabytes * 1_000_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        written = 0
        while written < target:
            lines = []
            for n in range(2000):
                name = f"{rng.choice(GIVEN)} بن {rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                birth = (
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2010)}"
                )
                if n == 999:
                    birth = "31/02/1985"  # one impossible date in every 2000 rows
                lines.append(
                    f"{name},{rng.choice(GIVEN)},{rng.choice(['ذكر', 'أنثى'])},{birth},مقتول,"
                    f"2013-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},{rng.choice(PLACES)},"
                    "ملاحظة عن الحادثة والشهود\n"
                )
            chunk = "".join(lines)
            out.write(chunk)
            written += len(chunk.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=2048, help="size of the list in MB")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "dalil-bench")
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite)")
    parser.add_argument("--remap", action="store_true", help="then remap the import")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"list-{args.mb}mb.csv"
    if not path.exists():
        started = time.perf_counter()
        write_list(path, args.mb)
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - started:.0f} s"
        )
    url = args.url or f"sqlite:///{tempfile.mkdtemp(dir=args.dir)}/bench.db"
    db = Database(url)
    upgrade(db)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    cpu_started = time.process_time()
    with db.transaction("bench") as session:
        case = create_case(session, f"bench-{int(time.time())}", title_en="FICTIONAL bench list")
        assert isinstance(case, Case)
        result = import_list(
            session, case, path, source="bench list", mapping=MAPPING, policy="good-rows"
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {db.dialect}")
    print(
        f"file: {path.stat().st_size / 1e6:.0f} MB, rows {result.rows:,}, imported "
        f"{result.imported:,}, rejected {result.rejected_rows:,}"
    )
    print(
        f"import: {elapsed:.0f} s, {result.rows / elapsed:,.0f} rows/s, "
        f"{path.stat().st_size / 1e6 / elapsed:.1f} MB/s; CPU {cpu:.0f} s "
        f"({result.rows / cpu:,.0f} rows per CPU second)"
    )
    print(f"peak RSS: {peak:.0f} MB (before the import: {rss_before:.0f} MB)")
    if args.remap and result.import_id is not None:
        remap(db, case.id, result.import_id)
    db.dispose()


def remap(db: Database, case_id: str, import_id: str) -> None:
    from dalil.registry.remapping import remap_import

    columns = {**MAPPING.columns, "اسم الأم": "father"}
    wrong = ColumnMapping.model_validate({**MAPPING.model_dump(), "columns": columns})
    started, cpu_started = time.perf_counter(), time.process_time()
    with db.transaction("bench") as session:
        case = session.get(Case, case_id)
        assert case is not None
        done = remap_import(session, case, import_id, wrong, "bench: the mother read as father")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"remap: {done.records:,} records, {done.changed:,} changed in {elapsed:.0f} s "
        f"({done.records / elapsed:,.0f} records/s; CPU {cpu:.0f} s); peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
