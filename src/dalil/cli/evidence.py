"""``dalil evidence``, ``dalil log`` and ``dalil export case``: the evidence locker (issue 3)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from sqlalchemy import select

from dalil.cli.context import CaseOption, JsonOption, Table, app_of, console, emit, esc, plain
from dalil.db.models_evidence_items import EvidenceItem
from dalil.evidence.blobs import LocalBlobStore

evidence_app = typer.Typer(help="Evidence: byte-exact originals, custody, fingerprints.")
log_app = typer.Typer(help="The tamper-evident custody log: checkpoints and proofs.")


def _store(ctx: typer.Context) -> LocalBlobStore:
    settings = app_of(ctx).settings
    return LocalBlobStore(settings.blob_root, second_hash=settings.blake3)


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders (taken recursively)."),
    source: str = typer.Option(..., help="ID of the source the material comes with."),
    collected_by: str | None = typer.Option(None, help="Who collected it (default: you)."),
    acquired_from: str | None = typer.Option(None, help="Who supplied it, how (kept off the log)."),
    supplier_hash: str | None = typer.Option(None, help="The supplier's hash: sha256:<hex>, md5:…"),
    note: str | None = typer.Option(None),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Preserve files byte-exact, record who acquired them and a custody event for each."""
    from dalil.evidence.ingest import expand, ingest_file  # PyAV: load only when used

    app = app_of(ctx)
    files = expand(paths)
    if supplier_hash and len(files) > 1:
        raise typer.BadParameter("--supplier-hash names one file's hash; give one file")
    store = _store(ctx)
    db = app.database()
    with app.read() as session:
        case_slug = app.case(session, case).slug
    results = []
    total = sum(f.stat().st_size for f in files)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=as_json,
        disable=as_json,
    ) as bar:
        task = bar.add_task("ingesting", total=total)
        for path in files:
            bar.update(task, description=f"ingesting {path.name[:40]}")
            results.append(
                ingest_file(
                    db,
                    store,
                    path,
                    case=case_slug,
                    source=source,
                    actor=app.settings.actor,
                    collected_by=collected_by,
                    acquired_from=acquired_from,
                    supplier_hash=supplier_hash,
                    note=note,
                    progress=lambda n: bar.advance(task, n),
                )
            )
    rows = [r.to_dict() for r in results]

    def render() -> None:
        for r in results:
            state = "new item" if r.new_item else "already held: acquisition recorded"
            console.print(
                f"[bold]{r.item_id}[/bold] {r.sha256} {r.size} bytes · {state} · leaf {r.log_index}"
            )
            if r.supplier_hash_ok is False:
                console.print(
                    "  [bold red]the supplier's hash does NOT match these bytes[/bold red]"
                )
            if r.media_error:
                console.print(f"  [yellow]metadata not extracted: {esc(r.media_error)}[/yellow]")

    emit(as_json, rows, render)


@evidence_app.command("list")
def evidence_list(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """List the case's evidence items."""
    app = app_of(ctx)
    with app.read() as session:
        c = app.case(session, case)
        rows = [
            {
                "id": i.id,
                "name": i.name,
                "sha256": i.sha256,
                "size": i.size,
                "media_type": i.media_type,
            }
            for i in session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.case_id == c.id)
                .order_by(EvidenceItem.created_at)
            )
        ]

    def render() -> None:
        table = Table(title=f"Evidence of {c.slug}", title_justify="left")
        for column in ("id", "name", "sha256", "size", "type"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(plain(v) for v in row.values()))
        console.print(table)

    emit(as_json, rows, render)


@evidence_app.command("fingerprint")
def evidence_fingerprint(
    ctx: typer.Context,
    items: list[str] = typer.Argument(None, help="Item IDs (default: every item not yet done)."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Compute perceptual fingerprints (PDQ; 1 fps for video) and keyframe thumbnails."""
    from dalil.evidence.analysis import fingerprint_item, unanalysed

    app = app_of(ctx)
    db = app.database()
    with app.read() as session:
        case_id = app.case(session, case).id
    todo = list(items or unanalysed(db, case_id))
    results = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        disable=as_json,
    ) as bar:
        overall = bar.add_task("fingerprinting", total=max(len(todo), 1))
        for item_id in todo:
            task = bar.add_task(f"  {item_id}", total=1.0)

            def step(done: float, total: float | None, task: TaskID = task) -> None:
                bar.update(task, completed=(done / total) if total else 0.0)

            results.append(
                fingerprint_item(db, _store(ctx), item_id, actor=app.settings.actor, progress=step)
            )
            bar.update(task, completed=1.0, visible=False)
            bar.advance(overall)
    rows = [r.to_dict() for r in results]

    def render() -> None:
        if not rows:
            console.print("nothing to fingerprint")
        for r in results:
            extra = f" · [yellow]{r.error}[/yellow]" if r.error else ""
            console.print(
                f"{r.item_id} ({r.kind}): {r.hashes} hashes, {r.thumbnails} thumbnails{extra}"
            )

    emit(as_json, rows, render)


@evidence_app.command("similar")
def evidence_similar(
    ctx: typer.Context,
    item: str,
    limit: int = typer.Option(20, min=1, max=500),
    as_json: bool = JsonOption,
) -> None:
    """Near-duplicates of an item in its case: re-encoded, resized, cropped copies, clips."""
    from dalil.evidence.analysis import similar

    app = app_of(ctx)
    candidates = similar(app.database(), item, limit=limit)
    rows = [c.to_dict() for c in candidates]

    def render() -> None:
        table = Table(title=f"Items that look like {esc(item)}", title_justify="left")
        for column in ("item", "score", "frames matched", "median distance", "offset (s)"):
            table.add_column(column)
        for c in candidates:
            offset = "" if c.offset is None else f"{c.offset:+.1f}"
            table.add_row(
                c.item_id,
                f"{c.score:.2f}",
                f"{c.frames_matched}/{c.query_frames}",
                f"{c.median_distance:.0f}",
                offset,
            )
        console.print(table if candidates else "no near-duplicates found")

    emit(as_json, rows, render)
