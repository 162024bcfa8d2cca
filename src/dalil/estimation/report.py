"""Presenting estimates: a side-by-side table and PNG plots (matplotlib, no display needed).

Rows carry the method, the estimate of N, the interval, the documented count and the share
undocumented, so that "41 or 288?" can be answered with the registry's count and the estimate
beside each other. Plots: the posterior of N (LCMCR), trace plots per chain, the methods side by
side, and estimates by stratum. Figures are drawn on :class:`matplotlib.figure.Figure` with the
Agg canvas directly, so nothing depends on a GUI or on pyplot's global state.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dalil.estimation.result import Estimate
from dalil.estimation.strata import Stratified

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure(**options: Any) -> Figure:
    """A matplotlib figure (matplotlib is imported on first use: it is slow to load)."""
    from matplotlib.figure import Figure

    return Figure(**options)


Result = Estimate | Stratified


def total_of(result: Result) -> Estimate:
    return result.total if isinstance(result, Stratified) else result


def whole(value: float | None) -> str:
    if value is None:
        return "—"
    if value == np.inf:
        return "∞"
    return f"{value:,.0f}"


def interval_text(estimate: Estimate) -> str:
    if estimate.interval is None:
        return "—"
    i = estimate.interval
    return f"{whole(i.lower)} – {whole(i.upper)} ({i.level:.0%})"


def rows(results: Sequence[Result]) -> list[dict[str, Any]]:
    """One row per method (per stratum too, when stratified), for tables and JSON."""
    table: list[dict[str, Any]] = []
    for result in results:
        parts: list[tuple[str, Estimate]] = [("", total_of(result))]
        if isinstance(result, Stratified):
            parts += list(result.strata.items())
        for stratum, e in parts:
            table.append(
                {
                    "method": e.label if not stratum else f"  {stratum}",
                    "stratum": stratum or None,
                    "estimate": e.total,
                    "interval": interval_text(e),
                    "lower": None if e.interval is None else e.interval.lower,
                    "upper": None if e.interval is None else e.interval.upper,
                    "documented": e.documented,
                    "share_undocumented": e.share_undocumented,
                    "warnings": len(e.warnings),
                }
            )
    return table


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "estimate"


def _title(ax: Any, text: str) -> None:
    ax.set_title(textwrap.fill(text, 70), fontsize="medium")


def _save(figure: Figure, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=120)
    return path


def posterior_plot(estimate: Estimate, path: Path) -> Path:
    assert estimate.draws is not None
    figure = _figure(figsize=(7, 4), layout="constrained")
    ax = figure.add_subplot()
    shown = estimate.draws[estimate.draws <= np.quantile(estimate.draws, 0.995)]
    ax.hist(shown, bins=60, color="#4c72b0", alpha=0.8)
    ax.axvline(estimate.total, color="black", label=f"median {whole(estimate.total)}")
    if estimate.interval is not None:
        for bound in (estimate.interval.lower, estimate.interval.upper):
            ax.axvline(bound, color="black", linestyle="--")
    ax.axvline(estimate.documented, color="#c44e52", label=f"documented {estimate.documented:,}")
    ax.set_xlabel("N, total killed or disappeared (documented and not); tail beyond 99.5 % cut")
    ax.set_ylabel("posterior draws")
    _title(ax, f"{estimate.label}: posterior of N, {interval_text(estimate)}")
    ax.legend()
    return _save(figure, path)


def trace_plot(estimate: Estimate, path: Path) -> Path:
    assert estimate.trace is not None
    figure = _figure(figsize=(8, 4), layout="constrained")
    ax = figure.add_subplot()
    for chain, values in enumerate(estimate.trace, start=1):
        ax.plot(values, linewidth=0.6, label=f"chain {chain}")
    rhat, ess = estimate.diagnostics.get("rhat"), estimate.diagnostics.get("ess_bulk")
    _title(ax, f"{estimate.label}: trace of N (R-hat {rhat or math.nan:.3f}, ESS {ess or 0:.0f})")
    ax.set_xlabel("kept draw")
    ax.set_ylabel("N")
    if len(estimate.trace) <= 8:
        ax.legend(fontsize="small")
    return _save(figure, path)


def _bars(ax: Any, labels: list[str], estimates: list[Estimate]) -> None:
    y = np.arange(len(estimates))[::-1]
    for position, e in zip(y, estimates, strict=True):
        if e.interval is not None:
            upper = e.interval.upper if np.isfinite(e.interval.upper) else e.total * 3
            ax.plot([e.interval.lower, upper], [position, position], color="#4c72b0", lw=3)
        ax.plot([e.total], [position], "o", color="black")
        ax.plot([e.documented], [position], "|", color="#c44e52", markersize=14, mew=2)
    ax.set_yticks(y, [textwrap.fill(label, 28) for label in labels])
    ax.set_xlim(left=0)
    ax.set_xlabel("N (red tick: documented; line: interval)")


def comparison_plot(results: Sequence[Result], path: Path) -> Path:
    estimates = [total_of(r) for r in results]
    figure = _figure(figsize=(9, 1.4 + 0.8 * len(estimates)), layout="constrained")
    _bars(figure.add_subplot(), [e.label for e in estimates], estimates)
    return _save(figure, path)


def strata_plot(result: Stratified, path: Path) -> Path:
    names = list(result.strata)
    figure = _figure(figsize=(8, 1.2 + 0.5 * len(names)), layout="constrained")
    ax = figure.add_subplot()
    _bars(ax, names, [result.strata[n] for n in names])
    _title(ax, f"{total_of(result).label.split(' · ')[0]} by {result.by}")
    return _save(figure, path)


def write_plots(results: Sequence[Result], directory: Path, prefix: str = "estimate") -> list[Path]:
    """PNG files for these results in ``directory`` (created); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [comparison_plot(results, directory / f"{prefix}-comparison.png")]
    for result in results:
        total = total_of(result)
        name = f"{prefix}-{_slug(total.label.split(' · ')[0])}"
        if total.draws is not None and total.method == "lcmcr":
            written.append(posterior_plot(total, directory / f"{name}-posterior.png"))
        if total.trace is not None:
            written.append(trace_plot(total, directory / f"{name}-trace.png"))
        if isinstance(result, Stratified):
            written.append(strata_plot(result, directory / f"{name}-strata.png"))
    return written
