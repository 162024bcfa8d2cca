"""In-process rate limits: token buckets per login IP, per account name and per principal.

A bucket holds ``capacity`` tokens and regains ``rate`` per second; each attempt takes one, and an
empty bucket answers 429 with ``Retry-After`` (seconds until a token is back). The state lives in
the server process (one per ``dalil serve``), which is enough for one server; lock-out after
repeated failed logins is counted in the database (:mod:`dalil.access.accounts`) and so holds
across processes. Keys are bounded (least recently used dropped) so a flood of spoofed names
cannot exhaust memory. This module must never keep a password or a token: keys are IPs, account
names (lower-cased) and principal names.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from dalil.access import LoginFailed
from dalil.errors import DalilError

MAX_KEYS = 10_000


class RateLimited(LoginFailed):
    """Too many attempts; ``retry_after`` is how many seconds to wait (answered as 429)."""

    def __init__(self, retry_after: int, what: str = "attempts") -> None:
        super().__init__(
            f"too many {what}: wait {retry_after} s and retry",
            hint="the limit protects accounts against guessing",
        )
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucket:
    """Buckets keyed by a string, ``capacity`` tokens each, refilled at ``per_minute`` a minute."""

    def __init__(
        self,
        capacity: int,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if capacity < 1 or per_minute <= 0:
            raise ValueError("a bucket needs capacity >= 1 and a positive refill rate")
        self.capacity = capacity
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """Take a token for ``key``: 0 when granted, else the seconds until one is available."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = _Bucket(float(self.capacity), now)
            else:
                elapsed = max(0.0, now - bucket.stamp)
                bucket.tokens = min(float(self.capacity), bucket.tokens + elapsed * self.rate)
                bucket.stamp = now
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))


@dataclass
class Limits:
    """The buckets of one application (``app.state.limits``)."""

    login_ip: TokenBucket
    login_account: TokenBucket
    expensive: TokenBucket

    @classmethod
    def default(cls, clock: Callable[[], float] = time.monotonic) -> Limits:
        return cls(
            # A person mistyping gets 10 tries at once, then one every 6 s from one address …
            login_ip=TokenBucket(capacity=10, per_minute=10, clock=clock),
            # … and one name 5 tries, then 2 a minute, whatever addresses try it.
            login_account=TokenBucket(capacity=5, per_minute=2, clock=clock),
            # Search and upload: 30 at once, then 60 a minute per principal.
            expensive=TokenBucket(capacity=30, per_minute=60, clock=clock),
        )

    def login(self, ip: str, name: str) -> None:
        """Count one login attempt; :class:`RateLimited` when either bucket is empty."""
        wait = max(self.login_ip.take(ip), self.login_account.take(name.strip().lower()[:128]))
        if wait:
            raise RateLimited(wait, "login attempts")

    def spend(self, principal: str) -> None:
        wait = self.expensive.take(principal)
        if wait:
            raise TooBusy(wait)


class TooBusy(DalilError):
    """Too many expensive requests (search, upload) by one principal; answered as 429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: wait {retry_after} s and retry")
        self.retry_after = retry_after
