"""Benchmark: linkage accuracy on synthetic Syrian victim lists, ours beside plain Splink.

``--people`` invented people (20,000 by default) are documented by four lists with their own
habits (Arabic script; English-style Latin; French-style Latin; abbreviated full names only),
typos, missing fields, slipped dates and in-list duplicates (``dalil.registry.synthetic``). Both
methods link the same records without seeing the truth; each is scored on pairwise
precision/recall/F1, B-cubed F1 and unique persons against the truth, with its wall time.

Goal (issue 4): ours pairwise F1 >= 0.95 and unique persons within +-2 %; plain Splink (run the
documented way, ``bench/linkage_eval.py``) far lower. ``--errors`` prints the error classes seen
(false merges, people split and the list pairs their missed links join) with a few examples.
``--estimate`` runs LCMCR (``dalil.estimation``) on the capture patterns (person x list) of the
truth and of each method's linkage: what a linkage's errors do to the estimate of the dead, the
figure estimation reads (people split look documented by fewer lists, which reads as many never
documented). ``--father-column``: the list of full names also gives the father's name in a column
of its own, as many real lists do (the same draws otherwise).

Run: ``nice .venv/bin/python bench/bench_registry_synthetic.py [--people 20000] [--errors]
[--estimate] [--father-column]``.
Record the printed figures, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkage_eval as le


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="ours,plain", help="comma-separated: ours, plain")
    parser.add_argument("--errors", action="store_true", help="print error classes and examples")
    parser.add_argument(
        "--estimate",
        action="store_true",
        help="estimate the number of people (LCMCR) from each linkage's capture patterns",
    )
    parser.add_argument(
        "--father-column",
        action="store_true",
        help="the lists of full names give the father's name in a column of its own too",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("splink").setLevel(logging.ERROR)

    started = time.perf_counter()
    records, truth, people = le.synthetic(
        args.people, args.seed, with_people=True, father_column=args.father_column
    )
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {le.machine()}: {args.people:,} people, "
        f"{len(records):,} records in {records['source_id'].nunique()} lists, "
        f"{len(set(truth.values())):,} documented people; generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    rows = []
    patterns = {"the truth": le.capture_patterns(truth, records)}
    for method in args.methods.split(","):
        run = le.METHODS[method.strip()](records)
        scores = le.score(run, truth)
        rows.append(scores)
        patterns[scores.name] = le.capture_patterns(run.clusters, records)
        print(scores.row(), flush=True)
        print("  " + le.count_errors(run.clusters, truth).line())
        if method.strip() == "ours":
            calibration = run.notes["calibration"]
            print("  calibration:", json.dumps(
                {k: calibration.get(k) for k in ("prior", "clusters", "status_counts")},
                default=str,
            ))  # fmt: skip
        if args.errors:
            print(
                json.dumps(
                    le.error_classes(run, records, truth, people=people),
                    ensure_ascii=False,
                    indent=1,
                )
            )
    print()
    print(le.HEADER)
    for scores in rows:
        print(scores.row())
    for scores in rows:
        if scores.name.startswith("Dalil"):
            met = scores.f1 >= 0.95 and abs(scores.unique_error) <= 0.02
            print(f"goal (F1 >= 0.95, unique within 2 %): {'met' if met else 'NOT met'}")
    if args.estimate:
        estimates(patterns, args.people, args.seed)


def estimates(patterns: dict[str, dict[str, int]], people: int, seed: int) -> None:
    """What the linkage does to the estimate of the dead (docs/DOMAIN: judge linkage by the
    estimate it produces): LCMCR on the truth's capture patterns and on each method's."""
    print()
    print(f"LCMCR (default prior and chains, seed {seed}); {people:,} people were invented")
    print(
        "| capture patterns of | persons | estimate (95 % interval) | vs the truth's patterns "
        "| vs the people invented | time |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    reference = None
    for name, counts in patterns.items():
        started = time.perf_counter()
        estimate = le.estimate_total(counts, seed)
        seconds = time.perf_counter() - started
        reference = estimate.total if reference is None else reference
        interval = estimate.interval
        assert interval is not None  # LCMCR always gives one
        print(
            f"| {name} | {estimate.documented:,} | {estimate.total:,.0f} ({interval.lower:,.0f}–"
            f"{interval.upper:,.0f}) | {estimate.total / reference - 1:+.1%} | "
            f"{estimate.total / people - 1:+.1%} | {seconds:.0f} s |",
            flush=True,
        )
        for warning in estimate.warnings:
            print(f"  warning: {warning}")


if __name__ == "__main__":
    main()
