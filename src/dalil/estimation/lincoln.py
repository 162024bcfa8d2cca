"""Two-list estimators: Lincoln–Petersen and Chapman.

With n1 people on list 1, n2 on list 2 and m on both, Lincoln–Petersen estimates N = n1·n2/m and
Chapman's nearly unbiased version N = (n1+1)(n2+1)/(m+1) − 1 (Chapman 1951). Both assume the two
lists are independent and everyone equally likely to be listed; when the same kind of person
tends to be on both lists (positive dependence, the usual case) they under-estimate.

The interval uses the estimator's variance (Seber 1982 for Lincoln–Petersen, Wittes 1972 for
Chapman) on the log scale of the undocumented count f0 = N − n (Chao 1987): [n + f0/C, n + f0·C]
with C = exp(z·sqrt(log(1 + var/f0²))), so it never falls below the number documented.
A table with more lists is collapsed onto the two lists named in ``pair``: people only on the
other lists are then unobserved, and the estimate's documented count is those on the pair.
"""

from __future__ import annotations

import math
from typing import Any

from dalil.errors import InvalidInput
from dalil.estimation import params as checks
from dalil.estimation._lazy import scipy
from dalil.estimation.captures import CaptureTable
from dalil.estimation.result import Estimate, Interval, Progress


def log_normal_interval(
    total: float, documented: int, variance: float, level: float, kind: str
) -> Interval:
    """Chao's (1987) interval: normal on log(N − n), so lower ≥ n and the upper is skewed."""
    undocumented = total - documented
    if undocumented <= 0 or variance <= 0:
        return Interval(total, total, level, kind)
    z = float(scipy("stats").norm.ppf(0.5 + level / 2))
    spread = math.exp(z * math.sqrt(math.log1p(variance / undocumented**2)))
    return Interval(
        documented + undocumented / spread, documented + undocumented * spread, level, kind
    )


class TwoList:
    """Lincoln–Petersen (``lincoln``) or Chapman (``chapman``) on two lists."""

    defaults: dict[str, Any] = {"pair": None, "level": 0.95}  # noqa: RUF012 - read only

    def __init__(self, name: str) -> None:
        assert name in {"lincoln", "chapman"}
        self.name = name

    def estimate(
        self, table: CaptureTable, *, progress: Progress | None = None, **params: Any
    ) -> Estimate:
        options = checks.resolve(self.name, self.defaults, params)
        level = checks.level(options["level"])
        table.check_estimable()
        pair = self._pair(table, options["pair"])
        sub = table.select(pair)
        sub.check_estimable(f"lists {pair[0]} and {pair[1]}")
        n1, n2 = sub.list_totals().values()
        m = sub.counts["11"]
        if self.name == "chapman":
            total = (n1 + 1) * (n2 + 1) / (m + 1) - 1
            variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
            label = f"Chapman ({pair[0]}, {pair[1]})"
        else:
            total = n1 * n2 / m
            variance = n1 * n2 * (n1 - m) * (n2 - m) / m**3
            label = f"Lincoln–Petersen ({pair[0]}, {pair[1]})"
        interval = log_normal_interval(
            total, sub.documented, variance, level, "log-normal (Chao 1987) from the variance"
        )
        warnings: list[str] = []
        if m < 7:
            warnings.append(
                f"only {m} people are on both lists: a two-list estimate from so few "
                "overlaps is unstable"
            )
        if total < table.documented:
            warnings.append(
                f"the two-list estimate ({total:,.0f}) is below the {table.documented:,} "
                "documented on all lists: it ignores the other lists, and two positively "
                "dependent lists under-estimate"
            )
        if table.size > 2:
            warnings.append(
                f"uses 2 of {table.size} lists; the others are ignored, so the people only "
                "on them count as undocumented here"
            )
        return Estimate(
            method=self.name,
            label=label,
            total=total,
            documented=sub.documented,  # what this estimate rests on; the rest are ignored
            interval=interval,
            parameters={"pair": list(pair), "level": level},
            diagnostics={
                "n1": n1,
                "n2": n2,
                "both": m,
                "documented_on_pair": sub.documented,
                "documented_on_all_lists": table.documented,
                "variance": variance,
                "standard_error": math.sqrt(variance),
            },
            warnings=warnings,
        )

    @staticmethod
    def _pair(table: CaptureTable, given: Any) -> tuple[str, str]:
        if given is None:
            if table.size != 2:
                raise InvalidInput(
                    "pair",
                    f"the table has {table.size} lists; a two-list estimate needs two of them",
                    hint=f"name two lists, e.g. --pair {table.lists[0]},{table.lists[1]}",
                )
            return table.lists[0], table.lists[1]
        refs = given.split(",") if isinstance(given, str) else list(given)
        if len(refs) != 2:
            raise InvalidInput("pair", "name exactly two lists, e.g. A,B")
        first, second = (table.lists[table.index_of(str(r))] for r in refs)
        if first == second:
            raise InvalidInput("pair", "name two different lists")
        return first, second


LINCOLN = TwoList("lincoln")
CHAPMAN = TwoList("chapman")
