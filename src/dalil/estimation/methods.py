"""The estimators by name, and running one by name with its options checked.

``lincoln`` and ``chapman`` (two lists), ``loglinear`` and ``lcmcr``. Each follows
:class:`~dalil.estimation.result.Estimator`; its options are resolved (defaults filled in, a seed
drawn) before it runs and stored with the result, so :func:`run` with a stored result's method
and parameters repeats it exactly.
"""

from __future__ import annotations

from typing import Any

from dalil.errors import InvalidInput
from dalil.estimation import params as checks
from dalil.estimation.captures import CaptureTable
from dalil.estimation.lcmcr import ESTIMATOR as LCMCR
from dalil.estimation.lincoln import CHAPMAN, LINCOLN
from dalil.estimation.loglinear import LOGLINEAR
from dalil.estimation.result import Estimate, Estimator, Progress

ESTIMATORS: dict[str, Estimator] = {
    "chapman": CHAPMAN,
    "lincoln": LINCOLN,
    "loglinear": LOGLINEAR,
    "lcmcr": LCMCR,
}


def estimator(method: str) -> Estimator:
    if method not in ESTIMATORS:
        raise InvalidInput("method", f"{method!r}: use one of {', '.join(ESTIMATORS)}")
    return ESTIMATORS[method]


def resolved_options(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The complete options a run with ``params`` uses (what is stored to repeat it)."""
    if method == "loglinear":
        return LOGLINEAR.options(params)
    if method == "lcmcr":
        return LCMCR.options(params)
    return checks.resolve(method, CHAPMAN.defaults, params)


def run(
    table: CaptureTable, method: str, *, progress: Progress | None = None, **params: Any
) -> Estimate:
    return estimator(method).estimate(table, progress=progress, **params)
