"""Benchmark: evidence ingest throughput beside `sha256sum` over the same files, in one run.

Ingest streams each file into the blob store (SHA-256, BLAKE3 in a second thread, a write-once
copy, fsync), probes its metadata and commits the records and a custody event. The issue's target:
ingest throughput ≥ 90 % of `sha256sum` reading the same files.

Run: ``nice .venv/bin/python bench/bench_ingest.py [--gigabytes 2] [--files 8]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from dalil.db import Database, upgrade
from dalil.documentation import create, create_case
from dalil.evidence.blobs import LocalBlobStore
from dalil.evidence.ingest import ingest_file


def make_files(folder: Path, total: int, count: int) -> list[Path]:
    paths, size = [], total // count
    block = os.urandom(1 << 20)
    for n in range(count):
        path = folder / f"material-{n}.bin"
        with path.open("wb") as out:
            for i in range(size >> 20):
                out.write(block[:8] + i.to_bytes(8, "big") + n.to_bytes(8, "big") + block[24:])
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--no-blake3", action="store_true")
    args = parser.parse_args()
    total = int(args.gigabytes * (1 << 30))
    print(f"machine: {platform.node()} {platform.machine()} cpus={os.cpu_count()}")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        files = make_files(folder / "in", total, args.files)
        size = sum(p.stat().st_size for p in files)
        subprocess.run(["sha256sum", *map(str, files)], check=True, capture_output=True)  # warm
        started = time.perf_counter()
        subprocess.run(["sha256sum", *map(str, files)], check=True, capture_output=True)
        sha_s = time.perf_counter() - started
        db = Database(f"sqlite:///{folder / 'dalil.db'}")
        upgrade(db)
        with db.transaction("bench") as session:
            case = create_case(session, "bench", title_en="Bench")
            source = create(session, case, "source", {"source_type": "media_item", "title": "S"})
            source_id = source.id
        store = LocalBlobStore(folder / "blobs", second_hash=not args.no_blake3)
        started = time.perf_counter()
        for path in files:
            ingest_file(db, store, path, case="bench", source=source_id, actor="bench")
        ingest_s = time.perf_counter() - started
        db.dispose()
    mb = size / 1e6
    print(f"files: {len(files)} × {size // len(files) >> 20} MiB = {size / (1 << 30):.2f} GiB")
    print(f"sha256sum: {sha_s:.2f} s = {mb / sha_s:,.0f} MB/s")
    print(
        f"dalil ingest (sha256{'' if args.no_blake3 else ' + blake3'}, copy, fsync, probe, "
        f"records, custody): {ingest_s:.2f} s = {mb / ingest_s:,.0f} MB/s"
    )
    print(f"ingest / sha256sum throughput: {sha_s / ingest_s:.0%} (target ≥ 90 %)")


if __name__ == "__main__":
    main()
