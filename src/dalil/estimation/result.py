"""What every estimator returns, and the interface every estimator has.

An :class:`Estimate` carries the point estimate of the total N (documented and not), its interval,
the documented count it rests on, the method and every parameter needed to run it again
(seed included), diagnostics and warnings in words. Draws (posterior or bootstrap) ride along
for plots and for summing strata, but are not part of the stored summary.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from dalil.estimation.captures import CaptureTable

# Called as progress(done, total) by long-running estimators.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Interval:
    """An interval for N: ``upper`` is ``math.inf`` when the data cannot bound it."""

    lower: float
    upper: float
    level: float
    kind: str

    def contains(self, value: float) -> bool:
        return self.lower <= value <= self.upper

    def to_json(self) -> dict[str, Any]:
        return {
            "lower": finite(self.lower),
            "upper": finite(self.upper),
            "level": self.level,
            "kind": self.kind,
            "unbounded": math.isinf(self.upper),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interval:
        upper = math.inf if data.get("unbounded") else float(data["upper"])
        return cls(float(data["lower"]), upper, float(data["level"]), str(data["kind"]))


@dataclass
class Estimate:
    """One estimate of a population's size N from one capture table by one method."""

    method: str
    label: str
    total: float
    documented: int
    interval: Interval | None
    parameters: dict[str, Any]
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    draws: NDArray[np.float64] | None = field(default=None, repr=False)
    trace: NDArray[np.float64] | None = field(default=None, repr=False)

    @property
    def undocumented(self) -> float:
        return self.total - self.documented

    @property
    def share_undocumented(self) -> float:
        return self.undocumented / self.total if self.total > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe summary (no draws): what is stored and what ``--json`` prints."""
        return {
            "method": self.method,
            "label": self.label,
            "total": self.total,
            "documented": self.documented,
            "undocumented": self.undocumented,
            "share_undocumented": self.share_undocumented,
            "interval": None if self.interval is None else self.interval.to_json(),
            "parameters": jsonable(self.parameters),
            "diagnostics": jsonable(self.diagnostics),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Estimate:
        interval = data.get("interval")
        return cls(
            method=str(data["method"]),
            label=str(data["label"]),
            total=float(data["total"]),
            documented=int(data["documented"]),
            interval=None if interval is None else Interval.from_json(interval),
            parameters=dict(data.get("parameters") or {}),
            diagnostics=dict(data.get("diagnostics") or {}),
            warnings=list(data.get("warnings") or []),
        )


class Estimator(Protocol):
    """The interface of every estimator module (Chapman, log-linear, LCMCR)."""

    name: str

    def estimate(
        self, table: CaptureTable, *, progress: Progress | None = None, **params: Any
    ) -> Estimate:
        """Estimate N from ``table``; ``params`` are the method's options (see its defaults)."""
        ...


def finite(value: float | None) -> float | None:
    """JSON has no infinity or NaN (PostgreSQL's JSON refuses them): those become null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays unwrapped, non-finite floats to null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return finite(float(value))
    return value
