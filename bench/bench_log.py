"""Benchmark: the custody log on SQLite — appends, inclusion proofs, full verification.

Measures, in one run, on a fresh SQLite database in a temporary folder:
- append throughput of ``log.append_many`` (canonical JSON, hashing, stored subtree hashes, write
  lock), in transactions of ``--batch`` events, up to ``--leaves`` leaves (issue target: >= 10,000
  appends/s); then ``--single`` appends of one event per transaction, as one ingest does;
- inclusion proof latency at the full size: ``log.inclusion_proof`` for random leaves from one
  read session (issue target: < 1 ms at 1,000,000 leaves), and proof verification;
- a signed checkpoint, then ``log.verify`` of the whole log against it: every leaf re-hashed, every
  stored hash compared (issue target: < 30 s at 1,000,000 leaves).

Wall time and this process's CPU time are both printed: on a shared machine the CPU figure says
what the code costs, the wall figure what a user would have seen at that moment.

Run: ``nice .venv/bin/python bench/bench_log.py [--leaves 1000000] [--batch 1000]``.
Record the printed figures, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from dalil.db import Database, upgrade
from dalil.evidence import log
from dalil.evidence.keys import load_key

ACTIONS = ("ingest", "view", "download", "copy", "analysis", "export")


def event(n: int) -> dict[str, object]:
    """A realistic custody event (about 300 bytes of canonical JSON)."""
    return {
        "action": ACTIONS[n % len(ACTIONS)],
        "actor": f"investigator{n % 7}",
        "time": datetime(2026, 11, 22, 10, 0, n % 60, n % 1_000_000, tzinfo=UTC).isoformat(),
        "item": f"sha256:{n * 2654435761 % 2**256:064x}",
        "item_id": f"itm_{n:016d}",
        "case_id": "case_tadamon2013aprl",
        "previous_state": "stored",
        "details": {"tool": "dalil 0.1.0", "n": n},
    }


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def bench_appends(db: Database, leaves: int, batch: int) -> None:
    start = clock()
    report_every = max(batch, leaves // 10)
    for first in range(0, leaves, batch):
        with db.transaction("bench") as session:
            log.append_many(session, [event(n) for n in range(first, min(first + batch, leaves))])
        done = min(first + batch, leaves)
        if done % report_every == 0 or done == leaves:
            wall, cpu = since(start)
            print(
                f"  {done:>9,} leaves  {done / wall:>9,.0f} appends/s wall  "
                f"{done / cpu:>9,.0f} per CPU-second",
                flush=True,
            )
    wall, cpu = since(start)
    print(
        f"appends, batches of {batch:,}: {leaves:,} in {wall:.1f} s wall ({cpu:.1f} s CPU): "
        f"{leaves / wall:,.0f} appends/s wall, {leaves / cpu:,.0f} per CPU-second"
    )


def bench_single(db: Database, count: int) -> None:
    """One event per transaction, as an ingest of one file does: commit cost included."""
    start, first = clock(), 10**9
    for n in range(count):
        with db.transaction("bench") as session:
            log.append(session, event(first + n))
    wall, cpu = since(start)
    print(
        f"appends, one per transaction: {count:,} in {wall:.1f} s wall: {count / wall:,.0f}/s "
        f"wall, {count / cpu:,.0f} per CPU-second"
    )


def bench_proofs(db: Database, leaves: int, proofs: int) -> None:
    rng = random.Random(7)
    with db.reader() as session:
        top = log.root(session)
        log.inclusion_proof(session, 0)  # warm the statement cache
        times, verify_times = [], []
        for _ in range(proofs):
            index = rng.randrange(leaves)
            t0 = time.perf_counter()
            proof = log.inclusion_proof(session, index)
            t1 = time.perf_counter()
            assert proof.verify(top)
            t2 = time.perf_counter()
            times.append(t1 - t0)
            verify_times.append(t2 - t1)
        at_size = []
        for _ in range(proofs):  # at a given size, as when proving against a checkpoint
            index = rng.randrange(leaves)
            t0 = time.perf_counter()
            log.inclusion_proof(session, index, leaves)
            at_size.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        consistency = log.consistency_proof(session, leaves // 3)
        t1 = time.perf_counter()
    times.sort()
    p = {q: times[int(len(times) * q / 100) - 1] * 1000 for q in (50, 90, 99)}
    print(
        f"inclusion proof at {leaves:,} leaves ({proofs:,} random leaves, "
        f"{len(proof.path)} hashes): median {p[50]:.3f} ms, p90 {p[90]:.3f} ms, "
        f"p99 {p[99]:.3f} ms; verifying one: {statistics.median(verify_times) * 1e6:.0f} µs"
    )
    at_size.sort()
    q = {q: at_size[int(len(at_size) * q / 100) - 1] * 1000 for q in (50, 90, 99)}
    print(
        f"inclusion proof at a given tree size (a checkpoint's): median {q[50]:.3f} ms, "
        f"p90 {q[90]:.3f} ms, p99 {q[99]:.3f} ms"
    )
    print(
        f"consistency proof {leaves // 3:,} -> {leaves:,}: {(t1 - t0) * 1000:.3f} ms "
        f"({len(consistency.path)} hashes)"
    )


def bench_verify(db: Database, home: Path, leaves: int) -> None:
    key = load_key(home)
    with db.transaction("bench") as session:
        start = clock()
        cp = log.checkpoint(session, key)
        wall, _ = since(start)
    print(
        f"checkpoint at {cp.tree_size:,} leaves (signed, consistency-checked): {wall * 1000:.1f} ms"
    )
    with db.reader() as session:
        start = clock()
        report = log.verify(session, key=key)
        wall, cpu = since(start)
    assert report.ok, report.problems[:5]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"full verify of {report.tree_size:,} leaves: {wall:.1f} s wall ({cpu:.1f} s CPU), "
        f"ok={report.ok}; peak RSS of the process {peak:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--proofs", type=int, default=2_000)
    parser.add_argument("--single", type=int, default=2_000, help="one-event transactions")
    args = parser.parse_args()
    print(
        f"dalil custody log benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · "
        f"{platform.platform()} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f} at start"
    )
    with tempfile.TemporaryDirectory(prefix="dalil-bench-log-") as folder:
        home = Path(folder)
        db = Database(f"sqlite:///{home / 'dalil.db'}")
        upgrade(db)
        bench_appends(db, args.leaves, args.batch)
        bench_single(db, args.single)
        disk = sum(p.stat().st_size for p in home.glob("dalil.db*"))
        print(f"database on disk: {disk / 2**20:,.0f} MiB ({disk / args.leaves:,.0f} bytes/leaf)")
        total = args.leaves + args.single
        bench_proofs(db, total, args.proofs)
        bench_verify(db, home, total)
        db.dispose()
    print(f"load {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
