"""Benchmark: recording persons through the documentation engine, and searching them by name.

Measures, on SQLite and PostgreSQL:
- write throughput of ``add_person`` with an Arabic and a Latin name, two claims and history
  (the full path a list import or the API takes), in transactions of 500 persons;
- latency of ``search_persons`` (Arabic-normalised substring search) for a common and a rare
  name, median of repeated queries.

Run: ``.venv/bin/python bench/bench_documentation.py [--persons 20000] [--pg URL]``.
Record the printed figures, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dalil.db import Database, upgrade
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    create,
    create_case,
    search_persons,
)

GIVEN = [
    "محمد",
    "أحمد",
    "علي",
    "خالد",
    "عمر",
    "يوسف",
    "حسن",
    "إبراهيم",
    "مصطفى",
    "سامر",
    "فاطمة",
    "مريم",
]
FAMILY = ["المثال", "الشامي", "الحلبي", "الحمصي", "الدمشقي", "النموذج", "التجربة", "العيّنة"]
LATIN = {"محمد": "Mohammad", "أحمد": "Ahmad", "علي": "Ali", "خالد": "Khaled", "عمر": "Omar"}


def synthetic_name(rng: random.Random, n: int) -> tuple[NameInput, NameInput]:
    given, father = rng.choice(GIVEN), rng.choice(GIVEN)
    family = rng.choice(FAMILY) + (f" {n}" if n % 1000 == 0 else "")
    arabic = NameInput(given=given, father=father, family=family)
    latin = NameInput(
        full=f"{LATIN.get(given, 'Sami')} {LATIN.get(father, 'Adel')} al-{n}", kind="variant"
    )
    return arabic, latin


def load(db: Database, persons: int, batch: int = 500) -> float:
    rng = random.Random(7)
    with db.transaction("bench") as session:
        case = create_case(session, "bench", title_en="Benchmark")
        source = create(session, case, "source", {"source_type": "list", "title": "Synthetic list"})
        case_id, source_id = case.id, source.id
    started = time.perf_counter()
    done = 0
    while done < persons:
        with db.transaction("bench") as session:
            from dalil.db import Case

            case = session.get(Case, case_id)
            assert case is not None
            for n in range(done, min(done + batch, persons)):
                person = add_person(
                    session, case, list(synthetic_name(rng, n)), {"status": "missing"}
                )
                add_claim(session, case, person.id, "status", "missing", source_id)
                add_claim(session, case, person.id, "birth_date", str(1950 + n % 60), source_id)
        done = min(done + batch, persons)
    return time.perf_counter() - started


def search_latency(db: Database, query: str, repeats: int = 15) -> tuple[float, int]:
    timings, hits = [], 0
    with db.reader() as session:
        from dalil.documentation import get_case

        case = get_case(session, "bench")
        for _ in range(repeats):
            started = time.perf_counter()
            hits = len(search_persons(session, case, query, limit=50))
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), hits


def run(label: str, url: str, persons: int) -> None:
    db = Database(url)
    upgrade(db)
    seconds = load(db, persons)
    print(
        f"{label}: add_person+2 claims+history: {persons} persons in {seconds:.1f} s "
        f"= {persons / seconds:,.0f} persons/s"
    )
    # a common Arabic name pair, a rare record (one "al-3000" per run), a common Latin name
    for query in ("احمد الشامي", "3000", "Mohammad"):
        median, hits = search_latency(db, query)
        print(f"{label}: search {query!r}: median {median * 1000:.1f} ms ({hits} hits shown)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument(
        "--pg",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="admin URL; a temporary database is created and dropped",
    )
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.persons)
    if not args.no_pg:
        name = f"dalil_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(
                "postgresql",
                make_url(args.pg).set(database=name).render_as_string(False),
                args.persons,
            )
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
