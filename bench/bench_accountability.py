"""Benchmark: chains of command on a date over a large, synthetic order of battle.

Builds one case with a hierarchy of units (commands › divisions › brigades › battalions, some
units with two parents) and a commander posted to every unit in two consecutive periods, then
measures loading the case (`accountability.load`) and answering `chain(unit, on=date)` for
random battalions on random dates. All units and people are invented.

Run: ``nice .venv/bin/python bench/bench_accountability.py [--divisions 20]``.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from dalil.accountability import add_posting, add_unit, chain, load, relate_units
from dalil.db import Case, Database, upgrade
from dalil.documentation import NameInput, add_person, create_case, get_case
from dalil.values import PartialDate

ARMED = "armed_forces_unit"


def build(db: Database, divisions: int) -> list[str]:
    rng = random.Random(227)
    battalions: list[str] = []

    def unit(session: Session, case: Case, name: str, kind: str) -> str:
        return add_unit(session, case, {"name_en": name, "org_type": ARMED}, kind).id

    with db.transaction("bench") as session:
        case = create_case(session, "bench", title_en="FICTIONAL benchmark order of battle")
        commands = [unit(session, case, f"Command {c}", "command") for c in range(3)]
        division_ids: list[str] = []
        for d in range(divisions):
            div = unit(session, case, f"Division {d}", "division")
            relate_units(session, case, div, commands[d % 3], fields={"start_date": "2000"})
            for b in range(4):
                brig = unit(session, case, f"Brigade {d}-{b}", "brigade")
                relate_units(session, case, brig, div, fields={"start_date": "2000"})
                if division_ids and rng.random() < 0.2:  # a second parent division
                    second = rng.choice(division_ids)
                    relate_units(session, case, brig, second, fields={"start_date": "2012"})
                for t in range(5):
                    bat = unit(session, case, f"Bn {d}-{b}-{t}", "battalion")
                    relate_units(session, case, bat, brig, fields={"start_date": "2005"})
                    battalions.append(bat)
            division_ids.append(div)
        # a commander replaced mid-2013 in every command, division and half the battalions
        posted = commands + division_ids + battalions[: len(battalions) // 2]
        for n, unit_id in enumerate(posted):
            for half, (start, end) in enumerate((("2010", "2013-06"), ("2013-07", "2016"))):
                person = add_person(session, case, [NameInput(full=f"Invented Officer {n}-{half}")])
                add_posting(
                    session,
                    case,
                    person.id,
                    unit_id,
                    role="commander",
                    fields={"start_date": start, "end_date": end},
                )
    return battalions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisions", type=int, default=20)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db)
        started = time.perf_counter()
        battalions = build(db, args.divisions)
        print(
            f"built {len(battalions)} battalions under {args.divisions} divisions "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rng = random.Random(16)
        with db.reader() as session:
            started = time.perf_counter()
            data = load(session, get_case(session, "bench"))
            print(f"load the case: {(time.perf_counter() - started) * 1000:.0f} ms")
        timings = []
        for _ in range(args.queries):
            on = PartialDate(rng.choice([2011, 2013, 2014]), rng.randint(1, 12), 15)
            started = time.perf_counter()
            result = chain(data, rng.choice(battalions), on)
            timings.append(time.perf_counter() - started)
            assert result
        timings.sort()
        print(
            f"chain(unit, on=date), {args.queries} queries: median "
            f"{statistics.median(timings) * 1000:.2f} ms, p95 "
            f"{timings[int(len(timings) * 0.95)] * 1000:.2f} ms"
        )
        db.dispose()


if __name__ == "__main__":
    main()
