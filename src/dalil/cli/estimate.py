"""``dalil estimate``: multiple systems estimation (issue 5).

``counts FILE`` estimates from a CSV of capture patterns; ``run`` from a case's list sources;
``captures`` prints a case's capture table; ``show`` and ``list`` read stored estimates, and
``show --reproduce`` runs one again to check its figure. Every estimate is printed side by side
with the documented count; the engine is :mod:`dalil.estimation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dalil.cli.context import CaseOption, JsonOption, Table, app_of, console, emit, errors
from dalil.errors import Conflict, InvalidInput
from dalil.estimation import (
    CaptureTable,
    Estimate,
    Request,
    Stratified,
    case_captures,
    get_estimate,
    list_estimates,
    read_tables,
    reproduce,
    rows,
    run_plan,
    save,
    write_plots,
)
from dalil.estimation.report import total_of, whole
from dalil.estimation.service import Result, case_source
from dalil.estimation.store import summary, view

estimate_app = typer.Typer(help="Estimate how many were killed or disappeared, documented or not.")

MethodOption = typer.Option(
    "all", "--method", "-m", help="lcmcr, loglinear, chapman, lincoln or all."
)
ModelOption = typer.Option(None, help="Log-linear interactions: 12,23 or A:B,B:C.")
StepwiseOption = typer.Option(False, "--stepwise", help="Log-linear: Bales–Hesketh–Silverman.")
SelectOption = typer.Option(None, "--select", help="Log-linear: best model by aic or bic.")
PairOption = typer.Option(None, help="Two lists for Chapman/Lincoln–Petersen, e.g. A,B.")
IntervalOption = typer.Option(None, help="Log-linear interval: profile, bootstrap or wald.")
BootstrapOption = typer.Option(None, help="Bootstrap replicates (default 1000).")
SeedOption = typer.Option(None, help="Random seed (one is drawn and recorded if not given).")
IterationsOption = typer.Option(None, help="LCMCR sweeps kept per chain (default 40,000).")
BurnInOption = typer.Option(None, "--burn-in", help="LCMCR sweeps discarded (default 10,000).")
ThinOption = typer.Option(None, help="LCMCR: keep every n-th sweep (default 20).")
ChainsOption = typer.Option(None, help="LCMCR chains, sampled together (default 16).")
ClassesOption = typer.Option(None, help="LCMCR latent classes K (default 10).")
LevelOption = typer.Option(0.95, help="Interval level.")
PlotsOption = typer.Option(None, "--plots", help="Write PNG plots into this folder.")
SaveOption = typer.Option(False, "--save", help="Store the results, to show or reproduce later.")
ByOption = typer.Option(None, "--by", help="Stratify by sex, year or governorate.")
ListsOption = typer.Option(None, "--lists", help="Source IDs of the lists, comma-separated.")


def _request(method: str, stepwise: bool, select: str | None, **options: Any) -> Request:
    if stepwise and select:
        raise InvalidInput("select", "give --stepwise or --select, not both")
    return Request(method=method, select="stepwise" if stepwise else (select or "none"), **options)


@contextmanager
def _bars() -> Iterator[Any]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as bar:

        def factory(label: str) -> Any:
            task = bar.add_task(label, total=None)
            return lambda done, total: bar.update(task, completed=done, total=total)

        yield factory


def _estimate(
    ctx: typer.Context,
    tables: dict[str, CaptureTable],
    request: Request,
    by: str | None,
    *,
    source: str,
    plots: Path | None,
    store: bool,
    as_json: bool,
    case_slug: str | None = None,
    list_sources: dict[str, Any] | None = None,
) -> None:
    if store:
        app_of(ctx).database()  # a database that cannot store the result fails before the run
    with _bars() as factory:
        results = run_plan(tables, request, by=by, progress=factory)
    saved: list[str] = []
    if store:
        app = app_of(ctx)
        with app.write() as session:
            case = app.case(session, case_slug) if case_slug else None
            for result in results:
                stored = save(
                    session, result, tables, source=source, case=case, list_sources=list_sources
                )
                saved.append(stored.id)
    written = [str(p) for p in write_plots(results, plots)] if plots is not None else []
    first = next(iter(tables.values()))
    data = {
        "source": source,
        "lists": list(first.lists),
        "documented": sum(t.documented for t in tables.values()),
        "stratified_by": by,
        "results": [r.to_json() for r in results],
        "saved": saved,
        "plots": written,
    }
    emit(as_json, data, lambda: _render(results, source, saved, written))


def _render(results: list[Result], source: str, saved: list[str], plots: list[str]) -> None:
    table = Table(title=f"Estimates from {escape(source)}", title_justify="left")
    for column in ("method", "estimate N", "interval", "documented", "undocumented"):
        table.add_column(column, justify="left" if column in {"method", "interval"} else "right")
    for row in rows(results):
        table.add_row(
            escape(row["method"]),
            whole(row["estimate"]),
            row["interval"],
            f"{row['documented']:,}",
            f"{row['share_undocumented']:.0%}",
        )
    console.print(table)
    for result in results:
        estimate = total_of(result)
        seed = estimate.parameters.get("seed")
        if estimate.method == "lcmcr":
            d = estimate.diagnostics
            console.print(
                f"[dim]{escape(estimate.label)}: R-hat {d.get('rhat') or float('nan'):.3f}, "
                f"ESS {d.get('ess_bulk') or 0:.0f}, seed {seed}[/dim]"
            )
        for warning in estimate.warnings:
            console.print(f"[yellow]⚠ {escape(estimate.label)}: {escape(warning)}[/yellow]")
    for estimate_id in saved:
        console.print(f"saved estimate [bold]{estimate_id}[/bold]")
    if plots:
        console.print(f"wrote {len(plots)} plot(s): " + ", ".join(plots))


@estimate_app.command("counts")
def counts(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV of pattern,count (or stratum,pattern,count)."),
    method: str = MethodOption,
    model: str | None = ModelOption,
    stepwise: bool = StepwiseOption,
    select: str | None = SelectOption,
    pair: str | None = PairOption,
    interval: str | None = IntervalOption,
    bootstrap: int | None = BootstrapOption,
    seed: int | None = SeedOption,
    iterations: int | None = IterationsOption,
    burn_in: int | None = BurnInOption,
    thin: int | None = ThinOption,
    chains: int | None = ChainsOption,
    classes: int | None = ClassesOption,
    level: float = LevelOption,
    plots: Path | None = PlotsOption,
    store: bool = SaveOption,
    as_json: bool = JsonOption,
) -> None:
    """Estimate N from a capture table in a CSV file."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            str(file), f"cannot be read as UTF-8 text ({type(exc).__name__})"
        ) from None
    tables = read_tables(text)
    request = _request(
        method, stepwise, select, model=model, pair=pair, interval=interval,
        bootstrap=bootstrap, seed=seed, iterations=iterations, burn_in=burn_in, thin=thin,
        chains=chains, classes=classes, level=level,
    )  # fmt: skip
    by = None if set(tables) == {""} else "stratum"
    _estimate(ctx, tables, request, by, source=file.name, plots=plots, store=store, as_json=as_json)


@estimate_app.command("run")
def run_case(
    ctx: typer.Context,
    case: str | None = CaseOption,
    by: str | None = ByOption,
    lists: str | None = ListsOption,
    method: str = MethodOption,
    model: str | None = ModelOption,
    stepwise: bool = StepwiseOption,
    select: str | None = SelectOption,
    pair: str | None = PairOption,
    interval: str | None = IntervalOption,
    bootstrap: int | None = BootstrapOption,
    seed: int | None = SeedOption,
    iterations: int | None = IterationsOption,
    burn_in: int | None = BurnInOption,
    thin: int | None = ThinOption,
    chains: int | None = ChainsOption,
    classes: int | None = ClassesOption,
    level: float = LevelOption,
    plots: Path | None = PlotsOption,
    store: bool = SaveOption,
    as_json: bool = JsonOption,
) -> None:
    """Estimate N for a case from its list sources (a person is on a list its claims cite)."""
    app = app_of(ctx)
    with app.read() as session:
        chosen = app.case(session, case)
        refs = [r.strip() for r in lists.split(",")] if lists else None
        captures = case_captures(session, chosen, lists=refs, by=by)
        slug = chosen.slug
    request = _request(
        method, stepwise, select, model=model, pair=pair, interval=interval,
        bootstrap=bootstrap, seed=seed, iterations=iterations, burn_in=burn_in, thin=thin,
        chains=chains, classes=classes, level=level,
    )  # fmt: skip
    if captures.not_on_lists and not as_json:
        console.print(
            f"[dim]{captures.not_on_lists} of {captures.persons} persons are on none of these "
            "lists and are not part of the capture table[/dim]"
        )
    _estimate(
        ctx, captures.tables, request, by, source=case_source(captures, slug), plots=plots,
        store=store, as_json=as_json, case_slug=slug, list_sources=captures.lists,
    )  # fmt: skip


@estimate_app.command("captures")
def captures_show(
    ctx: typer.Context,
    case: str | None = CaseOption,
    by: str | None = ByOption,
    lists: str | None = ListsOption,
    as_json: bool = JsonOption,
) -> None:
    """Print a case's capture table: how many persons each combination of lists names."""
    app = app_of(ctx)
    with app.read() as session:
        refs = [r.strip() for r in lists.split(",")] if lists else None
        captures = case_captures(session, app.case(session, case), lists=refs, by=by)
    data = {
        "lists": captures.lists,
        "by": by,
        "tables": {name: t.nonzero() for name, t in captures.tables.items()},
        "persons": captures.persons,
        "not_on_lists": captures.not_on_lists,
    }

    def render() -> None:
        legend = ", ".join(
            f"{n} = {escape(i['title'])} ({i['source_id']})" for n, i in captures.lists.items()
        )
        console.print(f"[dim]lists: {legend}[/dim]")
        for name, table in captures.tables.items():
            _render_table(table, f"stratum {name}" if name else "capture table")

    emit(as_json, data, render)


def _render_table(table: CaptureTable, title: str) -> None:
    shown = Table(title=f"{escape(title)} ({table.documented:,} documented)", title_justify="left")
    shown.add_column("pattern")
    shown.add_column("on lists")
    shown.add_column("count", justify="right")
    for pattern, count in table.nonzero().items():
        names = ", ".join(n for n, bit in zip(table.lists, pattern, strict=True) if bit == "1")
        shown.add_row(pattern, escape(names), f"{count:,}")
    console.print(shown)


@estimate_app.command("list")
def estimate_list(
    ctx: typer.Context,
    case: str | None = typer.Option(None, "--case", "-c", help="Only this case's estimates."),
    as_json: bool = JsonOption,
) -> None:
    """List stored estimates, oldest first."""
    app = app_of(ctx)
    with app.read() as session:
        chosen = app.case(session, case) if case else None
        found = [summary(s) for s in list_estimates(session, chosen)]

    def render() -> None:
        table = Table(title="Stored estimates", title_justify="left", box=box.SIMPLE)
        for column in ("id", "date", "method", "N", "interval", "documented", "from"):
            table.add_column(
                column,
                no_wrap=column in {"id", "date"},
                min_width={"method": 16, "from": 10}.get(column),
                overflow="fold",
            )
        for s in found:
            interval = (
                f"{whole(s['lower'])} – {whole(s['upper'])}" if s["lower"] is not None else "—"
            )
            table.add_row(
                s["id"], s["created_at"][:10], escape(s["label"]),
                whole(s["total"]), interval, f"{s['documented']:,}",
                escape(s["source"].split(":")[0]),
            )  # fmt: skip
        console.print(table)

    emit(as_json, found, render)


@estimate_app.command("show")
def estimate_show(
    ctx: typer.Context,
    estimate_id: str = typer.Argument(..., help="ID of a stored estimate (or a unique prefix)."),
    again: bool = typer.Option(False, "--reproduce", help="Run it again and check the figure."),
    plots: Path | None = PlotsOption,
    as_json: bool = JsonOption,
) -> None:
    """Show a stored estimate with its inputs; --reproduce runs it again to check it."""
    app = app_of(ctx)
    with app.read() as session:
        stored = get_estimate(session, estimate_id)
    data = view(stored)
    rerun = None
    if again or plots is not None:
        with _bars() as factory:
            rerun = reproduce(stored, progress=factory(f"reproducing {stored.id}"))
        data["reproduced"] = {"matches": rerun.matches, "differences": rerun.differences}
        if plots is not None:
            data["plots"] = [str(p) for p in write_plots([rerun.again], plots, stored.id)]

    def render() -> None:
        console.print(f"[bold]{stored.id}[/bold]  {escape(stored.label)}")
        console.print(
            f"[dim]{stored.created_at:%Y-%m-%d %H:%M} UTC by {escape(stored.created_by)} · "
            f"from {escape(stored.source)} · seed {stored.seed} · "
            + ", ".join(f"{k} {v}" for k, v in stored.software.items())
            + "[/dim]"
        )
        lists = tuple(stored.captures["lists"])
        for name, counts_ in stored.captures["tables"].items():
            _render_table(
                CaptureTable(lists, counts_), f"stratum {name}" if name else "capture table"
            )
        _render([_restored(stored.result)], stored.source, [], data.get("plots", []))
        if rerun is not None:
            if rerun.matches:
                console.print("[bold green]reproduced: the same figure[/bold green]")
            else:
                console.print(
                    "[bold red]NOT reproduced:[/bold red] " + "; ".join(rerun.differences)
                )

    emit(as_json, data, render)
    if rerun is not None and not rerun.matches:
        raise Conflict(
            "the stored figure was not reproduced: " + "; ".join(rerun.differences),
            hint="compare the software versions; report it if they are the same",
        )


def _restored(result: dict[str, Any]) -> Result:
    total = Estimate.from_json(result)
    if "strata" not in result:
        return total
    strata = {name: Estimate.from_json(r) for name, r in result["strata"].items()}
    return Stratified(result["by"], strata, total)
