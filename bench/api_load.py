"""A small asyncio + httpx load client: N concurrent clients, each request timed, per endpoint.

Closed loop: each client sends its next request when the last one answered (after ``think``
seconds, if given), so with no think time the latency includes queueing at the server. Used by
``bench_api.py``; the client runs on the same machine as the server and takes CPU from it.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

import httpx


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_load(
    base: str,
    token: str,
    person_ids: list[str],
    queries: list[str],
    *,
    clients: int = 50,
    seconds: float = 30.0,
    warmup: float = 3.0,
    think: float = 0.0,
    search_share: float = 0.5,
    seed: int = 5,
) -> dict[str, dict[str, Any]]:
    """Latencies (ms) and throughput per endpoint over ``seconds`` after a ``warmup``."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    samples: dict[str, list[float]] = {"person page": [], "search": []}
    errors: dict[str, int] = {"person page": 0, "search": 0}
    begin = time.perf_counter()
    measure_from, stop_at = begin + warmup, begin + warmup + seconds

    async def client(n: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(seed * 1000 + n)
        while (now := time.perf_counter()) < stop_at:
            if rng.random() < search_share:
                endpoint, path = "search", "/api/cases/bench/persons"
                params: dict[str, str] | None = {"q": rng.choice(queries)}
            else:
                endpoint, path, params = (
                    "person page",
                    f"/api/persons/{rng.choice(person_ids)}",
                    None,
                )
            t0 = time.perf_counter()
            try:
                response = await http.get(path, params=params, headers=headers)
                ok = response.status_code in (200, 404)  # 404: a person the role may not see
            except httpx.HTTPError:
                ok = False
            elapsed = (time.perf_counter() - t0) * 1000
            if now >= measure_from:
                samples[endpoint].append(elapsed)
                errors[endpoint] += 0 if ok else 1
            if think:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    window = seconds
    stats: dict[str, dict[str, Any]] = {}
    every: list[float] = []
    for endpoint, values in samples.items():
        every += values
        stats[endpoint] = {
            "n": len(values),
            "p50": statistics.median(values) if values else float("nan"),
            "p95": _percentile(values, 0.95),
            "p99": _percentile(values, 0.99),
            "rps": len(values) / window,
            "errors": errors[endpoint],
        }
    stats["all"] = {
        "n": len(every),
        "p50": statistics.median(every) if every else float("nan"),
        "p95": _percentile(every, 0.95),
        "p99": _percentile(every, 0.99),
        "rps": len(every) / window,
        "errors": sum(errors.values()),
    }
    return stats
