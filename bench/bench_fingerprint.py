"""Benchmark: near-duplicate search over PDQ hashes, and video fingerprinting speed.

Measures:
- ``HashIndex.search_image`` latency (median, p95) at N stored random PDQ hashes (default one
  million), with one FAISS thread; half the queries are planted near-copies (<= 20 bits flipped),
  which must all be found; plus the memory the index takes and ``similar_to`` for a 60-s video;
- ``fingerprint_video`` speed on a synthetic 480p (854x480, 25 fps) video, pinned to one CPU with
  one decoder thread, as a multiple of real time: plain vPDQ (whole frames) and Dalil's default
  (whole frame + four centred crops, with thumbnails).

Targets (issue 3): a query under 5 ms at 1M hashes; fingerprinting faster than real time.
Run: ``nice .venv/bin/python bench/bench_fingerprint.py [--hashes 1000000] [--queries 200]
[--video-seconds 60]``. Record the printed figures, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from dalil.evidence import synthetic
from dalil.evidence.fingerprint import fingerprint_video
from dalil.evidence.similarity import HashIndex


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_search(hashes: int, queries: int, rng: np.random.Generator) -> None:
    faiss.omp_set_num_threads(1)
    before = rss_mb()
    started = time.perf_counter()
    codes = rng.integers(0, 256, size=(hashes, 32), dtype=np.uint8)
    index = HashIndex()
    index.add_codes([f"item{i // 10}" for i in range(hashes)], codes)  # 10 hashes an item
    built = time.perf_counter() - started
    print(
        f"index: {len(index):,} hashes, {len(index.items()):,} items, built in {built:.1f} s, "
        f"memory +{rss_mb() - before:.0f} MB RSS (codes alone {hashes * 32 / 2**20:.0f} MB)"
    )
    raw = faiss.IndexBinaryFlat(256)  # the same scan without Dalil's wrapper, for comparison
    raw.add(codes)
    wall, cpu, bare, planted_found = [], [], [], 0
    for q in range(queries):
        if q % 2 == 0:  # a near-copy of a stored hash
            row = int(rng.integers(hashes))
            value = int.from_bytes(codes[row].tobytes(), "big")
            for bit in rng.choice(256, size=int(rng.integers(0, 21)), replace=False):
                value ^= 1 << int(bit)
            query, expected = f"{value:064x}", f"item{row // 10}"
        else:
            query, expected = bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex(), None
        start, cpu_start = time.perf_counter(), time.process_time()
        found = index.search_image(query, max_distance=31)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
        start = time.perf_counter()
        raw.range_search(np.frombuffer(bytes.fromhex(query), np.uint8).reshape(1, 32), 32)
        bare.append((time.perf_counter() - start) * 1000)
        planted_found += expected is not None and any(item == expected for item, _ in found)
    print(f"search_image at {hashes:,} hashes, 1 thread, {queries} queries (target < 5 ms):")
    for label, values in (("wall", wall), ("CPU", cpu), ("bare FAISS wall", bare)):
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        median = statistics.median(values)
        print(f"  {label}: median {median:.2f} ms, p95 {p95:.2f} ms, max {values[-1]:.2f} ms")
    print(f"  planted near-copies found: {planted_found}/{(queries + 1) // 2}")
    video = [(float(t), bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()) for t in range(60)]
    video = [pair for pair in video for _ in range(5)]  # 60 s at 1 fps, 5 hashes a frame
    start = time.perf_counter()
    index.similar_to(video)
    print(f"similar_to for a 60-s video (300 hashes): {time.perf_counter() - start:.2f} s")


def bench_video(seconds: int, root: Path) -> None:
    path = root / "bench480p.mp4"
    start = time.perf_counter()
    synthetic.make_video(path, seconds, 854, 480, fps=25, seed=1)
    made = time.perf_counter() - start
    print(f"video: {seconds} s, 854x480, 25 fps, {synthetic.video_codec()}, ", end="")
    print(f"{path.stat().st_size / 2**20:.1f} MiB (made in {made:.1f} s)")
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})  # one core from here on
    for label, options in (
        ("plain vPDQ (whole frames, no thumbnails)", {"crops": (1.0,), "thumbnails": False}),
        ("default (whole + 4 crops, thumbnails)", {}),
    ):
        cpu_start, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        result = fingerprint_video(path, threads=1, **options)  # type: ignore[arg-type]
        wall = time.perf_counter() - start
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu_s = used.ru_utime - cpu_start.ru_utime + used.ru_stime - cpu_start.ru_stime
        print(
            f"fingerprint_video, {label}, CPU {cpu}: {wall:.2f} s wall, {cpu_s:.2f} s CPU, "
            f"{seconds / wall:.1f}x real time; {len(result.frames)} hashes, "
            f"{len(result.thumbnails)} thumbnails, {result.frames_decoded} frames decoded"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--video-seconds", type=int, default=60)
    args = parser.parse_args()
    machine = f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs"
    print(f"{machine}, Python {platform.python_version()}, faiss {faiss.__version__}")
    bench_search(args.hashes, args.queries, np.random.default_rng(2026))
    with tempfile.TemporaryDirectory() as tmp:
        bench_video(args.video_seconds, Path(tmp))


if __name__ == "__main__":
    main()
