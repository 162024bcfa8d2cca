"""Benchmark: linkage of 1M (or 5M) records end to end, ours beside plain Splink: time and memory.

The parent generates ``--n`` synthetic records (``dalil.registry.synthetic``; the truth is kept
aside) and writes them to Parquet in a temporary directory. Each method then runs in a fresh
subprocess that reads the records, links them (training, scoring, clustering) and writes its
clusters; the worker reports its linkage wall time and its peak resident memory
(``ru_maxrss``, DuckDB's memory included: it runs in-process). The parent scores the clusters.

DuckDB runs under ``--memory-limit`` (3GB) for both methods and spills to the temporary directory,
at most ``SPILL_LIMIT``: a method whose blocking explodes fails there (and is reported as not
completed) instead of filling the disk, as plain Splink's unsampled EM did at 1M.

Goal (issue 4): ours <= 1.5 x plain Splink's time, <= 4 GB; ``--n 5000000 --methods ours``
shows 5M records complete on the 2-core, 24 GB machine.

``--methods ours,plain,plain:1e6`` adds plain Splink with its EM sampling 1e6 pairs a pass
(plain's own cap is 5e6, as our engine's: set so that it completes at a million records).

``--repeat K`` runs the methods K times each, interleaved and in alternating order (ours, plain;
plain, ours; ...), and prints each round's ratio and the median: on a shared machine one pair of
runs can move by a third between the hours of a day, and both methods feel it alike only when
they run side by side in time. The accuracy is scored on each method's first run (the linkage is
deterministic).

Run: ``nice .venv/bin/python bench/bench_registry_scale.py [--n 1000000] [--methods ours,plain]
[--repeat 3]``. Record the printed figures, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkage_eval as le

SPILL_LIMIT = "40GB"  # a method whose blocking explodes fails here instead of filling the disk


def cap_duckdb(memory_limit: str, spill: Path) -> None:
    """Give every DuckDB connection Splink opens in this process the same memory limit and a
    spill directory, at most ``SPILL_LIMIT`` of it. Plain Splink runs under this; our engine
    sets the same limits itself (``Resources``). DuckDB's default (80 % of RAM) would take most
    of a machine shared with other jobs, and the goal is <= 4 GB."""
    from splink.internals.duckdb.database_api import DuckDBAPI

    original = DuckDBAPI.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._con.execute(f"SET memory_limit = '{memory_limit}'")
        self._con.execute(f"SET temp_directory = '{spill}'")
        self._con.execute(f"SET max_temp_directory_size = '{SPILL_LIMIT}'")

    DuckDBAPI.__init__ = init  # type: ignore[method-assign]


def cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(method: str, data: Path, out: Path, engine: str, memory_limit: str) -> None:
    """Runs in the subprocess: read, link, write clusters and figures."""
    cap_duckdb(memory_limit, out.parent / f"spill-{method}")
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    records = pd.read_parquet(data)
    read = time.perf_counter() - started
    if method == "ours":
        from dalil.registry.linkage import Resources

        limits = Resources(memory_limit, str(out.parent), SPILL_LIMIT)
        run = le.ours(records, engine=engine, verbose=True, resources=limits)
    else:
        # "plain:1e6": plain Splink with EM sampling that many pairs a pass (default 5e6).
        _, _, cap = method.partition(":")
        run = le.plain_splink(records, em_pairs=float(cap or 5e6))
        run = dataclasses.replace(run, name=f"{run.name} (EM {float(cap or 5e6):.0e} pairs)")
    pd.DataFrame(
        {"record_id": list(run.clusters), "cluster_id": list(run.clusters.values())}
    ).to_parquet(out.with_suffix(".parquet"))
    notes = run.notes.get("calibration", run.notes)
    out.write_text(
        json.dumps(
            {
                "name": run.name,
                "read_seconds": read,
                "link_seconds": run.seconds,
                "peak_rss_mib": le.peak_rss_mib(),
                # CPU of the whole process (DuckDB's threads too): on a machine shared with
                # other jobs, wall time says more about the others than about the method.
                "cpu_seconds": cpu_seconds(),
                "notes": notes,
            },
            default=str,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="ours,plain")
    parser.add_argument("--engine", default="duckdb", help="our engine: duckdb or spark")
    parser.add_argument(
        "--memory-limit", default="3GB", help="DuckDB memory_limit for both methods"
    )
    parser.add_argument("--no-score", action="store_true", help="skip the accuracy scores")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each method, interleaved (median ratio)"
    )
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "DATA", "OUT"), help="internal")
    args = parser.parse_args()
    if args.worker:
        method, data, out = args.worker
        worker(method, Path(data), Path(out), args.engine, args.memory_limit)
        return

    started = time.perf_counter()
    records = le.sampled(args.n, args.seed)
    generated = time.perf_counter() - started
    truth = le.truth_of(records)
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {le.machine()}: {len(records):,} "
        f"records of {len(set(truth.values())):,} people, generated in {generated:.1f} s; "
        f"DuckDB memory_limit {args.memory_limit}",
        flush=True,
    )
    print("| method | link time | peak RSS | pairwise F1 | B-cubed F1 | unique vs truth |")
    print("| --- | --- | --- | --- | --- | --- |", flush=True)
    with tempfile.TemporaryDirectory(prefix="dalil-scale-") as tmp:
        data = Path(tmp) / "records.parquet"
        records.drop(columns=["true_id"]).to_parquet(data)
        del records
        # The records' memory back to the system while the method runs beside this process (at
        # 5M records the parent otherwise kept ~4 GB of freed heap).
        from dalil.registry.linkage.engine import _give_back

        _give_back()
        methods = [m.strip() for m in args.methods.split(",")]
        figures: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
        for round_ in range(max(1, args.repeat)):
            # Alternate the order so that neither method always runs first (a warmer cache, a
            # quieter hour).
            for method in methods if round_ % 2 == 0 else methods[::-1]:
                result = run_method(method, data, Path(tmp), args, round_)
                if result is None:
                    continue
                score = not args.no_score and not figures[method]
                figures[method].append(result)
                print_row(result, Path(tmp) / f"{method}-{round_}.parquet", truth, score, round_)
        for other in methods:
            if other.startswith("plain") and figures.get("ours") and figures.get(other):
                print(f"against {other}:", end=" ")
                print_ratios(figures["ours"], figures[other])
        if figures.get("ours"):
            notes = figures["ours"][0]["notes"]
            shown = ("prior", "siblings", "clusters", "status_counts")
            print("ours calibration:", json.dumps(
                {k: notes.get(k) for k in shown}, default=str
            ))  # fmt: skip


def run_method(
    method: str, data: Path, tmp: Path, args: argparse.Namespace, round_: int
) -> dict[str, Any] | None:
    """One method in its own process; its figures, or None (reported) when it failed."""
    out = tmp / f"{method}-{round_}.json"
    wall = time.perf_counter()
    command = [sys.executable, __file__, "--engine", args.engine]
    command += ["--memory-limit", args.memory_limit]
    done = subprocess.run([*command, "--worker", method, str(data), str(out)])
    wall = time.perf_counter() - wall
    if done.returncode != 0:
        print(f"| {method} | did not complete: exit {done.returncode} after {wall:.0f} s "
              "(its error is printed above) | | | | |", flush=True)  # fmt: skip
        return None
    result: dict[str, Any] = json.loads(out.read_text())
    result["process_seconds"] = wall
    result["round"] = round_
    return result


def print_row(
    result: dict[str, Any], clusters_at: Path, truth: dict[str, int], score: bool, round_: int
) -> None:
    accuracy = "| — | — | — |"
    if score:
        clusters = pd.read_parquet(clusters_at)
        run = le.Run(
            result["name"],
            dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True)),
            result["link_seconds"],
            {},
        )
        s = le.score(run, truth)
        accuracy = (
            f"| {s.f1:.3f} | {s.bcubed_f1:.3f} | {s.unique:,} vs {s.true_unique:,} "
            f"({s.unique_error:+.1%}; {le.count_errors(run.clusters, truth).line()}) |"
        )
    print(
        f"| {result['name']} (run {round_ + 1}) | {result['link_seconds']:.0f} s (process "
        f"{result['process_seconds']:.0f} s, CPU {result.get('cpu_seconds', float('nan')):.0f} s) "
        f"| {result['peak_rss_mib'] / 1024:.2f} GiB {accuracy}",
        flush=True,
    )


def print_ratios(ours: list[dict[str, Any]], plain: list[dict[str, Any]]) -> None:
    """Each round's ratio of ours to plain Splink (wall and CPU), and their medians; a round
    where either failed has no ratio."""
    by_round = {p["round"]: p for p in plain}
    pairs = [(o, by_round[o["round"]]) for o in ours if o["round"] in by_round]
    if not pairs:
        return
    walls = [o["link_seconds"] / p["link_seconds"] for o, p in pairs]
    cpus = [
        o.get("cpu_seconds", float("nan")) / p.get("cpu_seconds", float("nan")) for o, p in pairs
    ]
    rss = max(o["peak_rss_mib"] for o in ours) / 1024
    each = ", ".join(f"{w:.2f}" for w in walls)
    print(
        f"ours / plain Splink time: {statistics.median(walls):.2f} wall (median of {len(walls)}: "
        f"{each}), {statistics.median(cpus):.2f} CPU (goal <= 1.5); ours peak {rss:.2f} GiB"
    )


if __name__ == "__main__":
    main()
