"""A small asyncio + httpx load client: N concurrent clients, each request timed, per endpoint.

Closed loop: each client sends its next request when the last one answered, after a pause if
``think`` is given (drawn from an exponential distribution with that mean, like a locust user's
``wait_time``), so with no think time the latency includes queueing at the server. Used by
``bench_api.py``; the client runs on the same machine as the server and takes CPU from it.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
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
    server_cpu: Callable[[], float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Latencies (ms) and throughput per endpoint over ``seconds`` after a ``warmup``.

    ``server_cpu`` (CPU seconds the server has used so far) is read at both ends of the window,
    to give the server's CPU time per request; ``failures`` counts what went wrong by kind.
    """
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    samples: dict[str, list[float]] = {"person page": [], "search": []}
    errors: dict[str, int] = {"person page": 0, "search": 0}
    failures: Counter[str] = Counter()
    cpu: list[float] = []
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
                kind = str(response.status_code)
            except httpx.HTTPError as exc:
                ok, kind = False, type(exc).__name__
            elapsed = (time.perf_counter() - t0) * 1000
            if now >= measure_from:
                samples[endpoint].append(elapsed)
                errors[endpoint] += 0 if ok else 1
                if not ok:
                    failures[kind] += 1
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))

    async def meter() -> None:
        if server_cpu is None:
            return
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu.append(server_cpu())
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        cpu.append(server_cpu())

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as http:
        await asyncio.gather(meter(), *(client(n, http) for n in range(clients)))
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
        "failures": dict(failures),
    }
    if len(cpu) == 2 and every:  # requests answered in the window, roughly those it served
        stats["all"]["server_cpu_ms_per_request"] = (cpu[1] - cpu[0]) * 1000 / len(every)
    return stats
