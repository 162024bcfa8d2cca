"""``dalil link``: link a case's lists into registry persons, list pairs, show runs, and review
uncertain pairs at the terminal (engines: :mod:`dalil.registry.linking`, :mod:`.review`).

Arabic cells are right-aligned; terminals that do their own bidi (most) then show them right to
left. ``--visual`` reorders them for terminals that do not (xterm, tmux): right-to-left runs are
reversed, numbers and Latin words inside them keep their order.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from dalil.cli.context import (
    CaseOption,
    JsonOption,
    Table,
    app_of,
    console,
    emit,
    errors,
    esc,
    plain,
)
from dalil.cli.registry import link_app, lists_app, registry_app  # noqa: F401

KEYS = {"s": "same", "d": "different", "u": "unsure"}


# --------------------------------------------------------------------------- right to left


def _is_rtl(char: str) -> bool:
    return (
        "\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufeff"
    )


def has_rtl(text: str) -> bool:
    return any(_is_rtl(c) for c in text)


def visual(text: str) -> str:
    """Logical → visual order of a right-to-left line (a simple form of the Unicode bidi
    algorithm, enough for names, dates and places): runs of left-to-right characters (Latin,
    digits) keep their inner order, everything else is reversed."""
    if not has_rtl(text):
        return text
    runs: list[tuple[bool, str]] = []
    for char in text:
        ltr = (char.isascii() and char.isalnum()) or char in "-/.:"
        if runs and runs[-1][0] == ltr:
            runs[-1] = (ltr, runs[-1][1] + char)
        else:
            runs.append((ltr, char))
    return "".join(chunk if ltr else chunk[::-1] for ltr, chunk in reversed(runs))


def cell(value: Any, *, as_visual: bool = False, style: str = "") -> Text:
    """A table cell of stored text; right-aligned (and optionally reordered) when Arabic."""
    text = "" if value is None else str(value)
    if has_rtl(text):
        return Text(visual(text) if as_visual else text, style=style, justify="right")
    return Text(text, style=style)


# --------------------------------------------------------------------------- run


def _calibration_lines(calibration: dict[str, Any] | None) -> list[str]:
    if not calibration:
        return ["no model was trained in this run (incremental runs use the last full run's)"]
    lines = []
    prior = calibration.get("prior") or {}
    if prior:
        value = prior.get("value")
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        lines.append(f"prior {shown} — {prior.get('method', '?')}")
        if "expected_matches" in prior:
            lines.append(f"expected matching pairs: {prior['expected_matches']:.0f}")
    u = calibration.get("u") or {}
    if u:
        lines.append(
            f"u: {u.get('method')} ({u.get('max_pairs', 0):,.0f} pairs, seed {u.get('seed')})"
        )
    m = calibration.get("m") or {}
    if m:
        passes = m.get("passes") or []
        ok = sum(1 for p in passes if p.get("ok"))
        labels = f", {m['labels']} judged pairs" if m.get("labels") else ""
        lines.append(f"m: {m.get('method')} ({ok} of {len(passes)} passes trained{labels})")
    decision = calibration.get("decision") or {}
    if decision:
        band = decision.get("review_band") or ["?", "?"]
        lines.append(
            f"decision at p ≥ {decision.get('match_probability')}; review band {band[0]}–{band[1]}"
            " (fixed, not tuned to the data)"
        )
    return lines


@link_app.command("run")
def link_run(
    ctx: typer.Context,
    case: str | None = CaseOption,
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark."),
    full: bool = typer.Option(
        False,
        "--full",
        help="Re-link every record (default: only records no person holds yet).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Link the case's list records into registry persons and store the run."""
    from dalil.registry.linking import link_case, resources_from

    app = app_of(ctx)
    with app.read() as session:
        case_row = app.case(session, case)
        case_id, slug = case_row.id, case_row.slug
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task("linking", total=1.0)

        def progress(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=min(max(fraction, 0.0), 1.0))

        summary = link_case(
            app.database(),
            case_id,
            actor=app.settings.actor,
            engine=engine,
            incremental=not full,
            progress=progress,
            resources=resources_from(app.settings),
        )
    data = summary.as_dict()

    def render() -> None:
        kind = "incremental" if summary.incremental else "full"
        console.print(f"[bold]Link run {summary.run_id}[/bold] ({kind}, {summary.engine}, "
                      f"{summary.seconds:.1f} s)")  # fmt: skip
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold cyan")
        table.add_column(justify="right")
        for label, value in (
            ("list records", summary.records),
            ("new records linked", summary.new_records),
            ("persons", summary.persons),
            ("pairs stored", summary.pairs),
            ("linked pairs", summary.linked),
            ("awaiting review", summary.review),
            ("IDs kept", summary.kept),
            ("IDs kept, grown", summary.grown),
            ("new IDs", summary.created),
            ("IDs retired (redirected)", summary.retired),
            ("judgements applied", summary.judgements),
        ):
            table.add_row(label, f"{value:,}")
        console.print(table)
        console.print("[bold]Calibration[/bold]")
        for line in _calibration_lines(summary.calibration):
            console.print(f"  {esc(line)}")
        if summary.conflicts:
            console.print(
                f"[yellow]{len(summary.conflicts)} 'same' judgement(s) contradict 'different' "
                "ones and were not applied[/yellow] (different wins); re-judge: "
                + ", ".join(f"{a}/{b}" for a, b in summary.conflicts[:5])
            )
        if summary.review:
            console.print(f"Next: dalil link review --case {esc(slug)}")

    emit(as_json, data, render)


# --------------------------------------------------------------------------- pairs and runs


@link_app.command("pairs")
def link_pairs(
    ctx: typer.Context,
    case: str | None = CaseOption,
    status: str | None = typer.Option(None, "--status", help="linked, review or unlinked."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many pairs."),
    as_json: bool = JsonOption,
) -> None:
    """The current pairs of the case (latest full run and the incremental runs after it)."""
    from dalil.errors import InvalidInput
    from dalil.registry.link_views import pair_views

    if status not in (None, "linked", "review", "unlinked"):
        raise InvalidInput("--status", "must be linked, review or unlinked")
    app = app_of(ctx)
    with app.read() as session:
        case_id = app.case(session, case).id
        pairs = pair_views(session, case_id, status)
    total, shown = len(pairs), pairs[:limit]
    data = {"total": total, "pairs": shown}

    def render() -> None:
        table = Table(title=f"Pairs ({len(shown)} of {total})", title_justify="left")
        numbers = ("Weight", "Probability")
        for name in ("Record A", "Record B", *numbers, "Status", "Persons"):
            table.add_column(name, justify="right" if name in numbers else "left")
        for p in shown:
            same = p["person_a"] is not None and p["person_a"] == p["person_b"]
            table.add_row(
                p["record_a"], p["record_b"], f"{p['match_weight']:.2f}",
                f"{p['match_probability']:.3f}",
                p["status"], "one person" if same else "two persons",
            )  # fmt: skip
        console.print(table)

    emit(as_json, data, render)


@link_app.command("show")
def link_show(
    ctx: typer.Context,
    run: str = typer.Argument(..., help="The run's ID (lnk_…)."),
    as_json: bool = JsonOption,
) -> None:
    """One link run: counts, engine and how the model was calibrated."""
    from dalil.registry.link_views import get_run, run_view

    app = app_of(ctx)
    with app.read() as session:
        data = run_view(get_run(session, run))

    def render() -> None:
        console.print(f"[bold]Link run {data['id']}[/bold] — {data['status']}")
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold cyan")
        table.add_column()
        for key in ("engine", "incremental", "started_at", "finished_at", "records", "persons",
                    "pairs", "actor"):  # fmt: skip
            table.add_row(key, plain(data[key]))
        console.print(table)
        console.print("[bold]Calibration[/bold]")
        calibration = data["calibration"] or {}
        if "error" in calibration:
            console.print(f"  [red]failed: {esc(calibration['error'])}[/red]")
        for line in _calibration_lines(calibration if "error" not in calibration else None):
            console.print(f"  {esc(line)}")

    emit(as_json, data, render)


# --------------------------------------------------------------------------- review


def _side_by_side(view: dict[str, Any], as_visual: bool) -> Table:
    from dalil.registry.review import FIELDS, field_states

    a, b = view["a"], view["b"]
    table = Table(
        title=f"p = {view['match_probability']:.3f}  ·  weight {view['match_weight']:.2f}  ·  "
        f"{view['status']}"
        + (
            f"  ·  {view['chance']:.0%} likely to change the registry"
            if view.get("chance") is not None
            else ""
        )
        + ("  ·  judged unsure before" if view["unsure"] else ""),
        title_justify="left",
        caption="= agree · ≈ alike (the same name in another spelling or script) · ≠ differ",
        caption_justify="left",
        show_lines=False,
    )
    table.add_column("Field", style="bold cyan")
    table.add_column(f"A · {a['source']['title']} row {a['row_number']}", ratio=1)
    table.add_column("", justify="center", width=1)
    table.add_column(f"B · {b['source']['title']} row {b['row_number']}", ratio=1)
    table.add_column("Model says", style="dim")
    explanation = view["explanation"] if isinstance(view["explanation"], dict) else {}
    states = field_states(a["fields"], b["fields"])
    for name in FIELDS:
        va, vb = a["fields"].get(name), b["fields"].get(name)
        if va is None and vb is None:
            continue
        state = states.get(name, "missing")
        mark = {"agree": "=", "alike": "≈", "differ": "≠"}.get(state, "")
        style = {"agree": "green", "alike": "yellow", "differ": "red"}.get(state, "")
        said = explanation.get(name) or explanation.get(name.replace("_date", "")) or {}
        model = f"{said.get('level', '')} ({said.get('weight', '')})" if said else ""
        table.add_row(
            name,
            cell(va, as_visual=as_visual, style=style),
            Text(mark, style=style),
            cell(vb, as_visual=as_visual, style=style),
            plain(model),
        )
    shown = set(FIELDS) | {n.replace("_date", "") for n in FIELDS}
    for name, said in explanation.items():
        if name not in shown and isinstance(said, dict):
            table.add_row(
                plain(name), "", "", "", plain(f"{said.get('level')} ({said.get('weight')})")
            )
    return table


def _ask() -> str:
    """One of s/d/u/k/q from the keyboard (a line, so tests and pipes can answer); end of input
    counts as q."""
    while True:
        try:
            answer = typer.prompt("same (s) · different (d) · unsure (u) · skip (k) · quit (q)")
        except typer.Abort:
            return "q"
        key = str(answer).strip().lower()[:1]
        if key and key in "sdukq":
            return key
        console.print("Answer s, d, u, k or q.")


@link_app.command("review")
def link_review(
    ctx: typer.Context,
    case: str | None = CaseOption,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Stop after this many pairs."),
    as_visual: bool = typer.Option(
        False, "--visual", help="Reorder Arabic for terminals without bidi support."
    ),
) -> None:
    """Review uncertain pairs one by one: s=same, d=different, u=unsure, k=skip, q=quit.

    Each answer is saved at once (an append-only judgement); `dalil link run` applies them."""
    from dalil.registry.link_views import review_view
    from dalil.registry.review import judge, queue

    app = app_of(ctx)
    with app.read() as session:
        case_row = app.case(session, case)
        case_id, slug = case_row.id, case_row.slug
        items = queue(session, case_id)
    if limit is not None:
        items = items[:limit]
    if not items:
        console.print("Nothing to review: no uncertain pairs without a judgement.")
        return
    counts = dict.fromkeys(("same", "different", "unsure", "skipped"), 0)
    for number, item in enumerate(items, 1):
        with app.read() as session:
            view = review_view(session, case_id, item)
        console.rule(f"pair {number} of {len(items)}")
        console.print(_side_by_side(view, as_visual))
        for old in view["judgements"]:
            when, note = old["created_at"][:16], old["note"] or ""
            console.print(
                f"[dim]earlier: {esc(old['decision'])} by {esc(old['actor'])} {esc(when)} "
                f"{esc(note)}[/dim]"
            )
        key = _ask()
        if key == "q":
            break
        if key == "k":
            counts["skipped"] += 1
            continue
        try:
            note = typer.prompt("note (optional)", default="", show_default=False)
        except typer.Abort:
            note = ""
        with app.write() as session:
            judge(session, case_id, item.record_a, item.record_b, KEYS[key], app.settings.actor,
                  note or None)  # fmt: skip
        counts[KEYS[key]] += 1
    done = counts["same"] + counts["different"] + counts["unsure"]
    console.print(
        f"Saved {done} judgement(s): {counts['same']} same, {counts['different']} different, "
        f"{counts['unsure']} unsure; {counts['skipped']} skipped."
    )
    if counts["same"] or counts["different"]:
        console.print(f"Run `dalil link run --case {esc(slug)}` to apply them to the registry.")
