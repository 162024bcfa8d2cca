"""``dalil evidence show|get|verify``, ``dalil log …`` and ``dalil export case``.

Engines are imported inside the commands: ``dalil --help`` must not load FAISS or PyAV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.cli.context import CaseOption, JsonOption, Table, app_of, console, emit, esc, plain
from dalil.cli.evidence import _store, evidence_app, log_app
from dalil.cli.export import export_app
from dalil.db.models_evidence_items import Acquisition, Derivative, EvidenceItem
from dalil.errors import DalilError, NotFound


def _key(ctx: typer.Context) -> Any:
    from dalil.evidence.keys import load_key

    return load_key(app_of(ctx).settings.home)


def _item(session: Session, ref: str) -> EvidenceItem:
    item = session.get(EvidenceItem, (ref or "").strip())
    if item is None:
        raise NotFound(f"no evidence item {ref!r}", hint="`dalil evidence list` shows them")
    return item


@evidence_app.command("show")
def evidence_show(ctx: typer.Context, item: str, as_json: bool = JsonOption) -> None:
    """An item: metadata, acquisitions, derivatives, custody trail with proof status."""
    from dalil.evidence import log

    app = app_of(ctx)
    key = _key(ctx)
    with app.read() as session:
        row = _item(session, item)
        latest = log.latest_checkpoint(session)
        trail = []
        for leaf in log.find_leaves(session, item=row.sha256, case_id=row.case_id):
            status = "after the latest checkpoint"
            if latest is not None and leaf.index < latest.tree_size:
                proof = log.inclusion_proof(session, leaf.index, latest.tree_size)
                status = "proven" if proof.verify(latest.root_hash) else "PROOF FAILS"
            trail.append({"index": leaf.index, "event": leaf.event, "proof": status})
        view = {
            "id": row.id,
            "name": row.name,
            "sha256": row.sha256,
            "size": row.size,
            "media_type": row.media_type,
            "metadata": row.media,
            "metadata_error": row.media_error,
            "log_key": key.verifier_key,
            "acquisitions": [
                {
                    "filename": a.filename,
                    "collected_by": a.collected_by,
                    "supplier_hash_ok": a.supplier_hash_ok,
                    "at": a.at.isoformat(),
                }
                for a in session.scalars(select(Acquisition).where(Acquisition.item_id == row.id))
            ],
            "derivatives": [
                {"kind": d.kind, "sha256": d.sha256, "timestamp": d.timestamp}
                for d in session.scalars(select(Derivative).where(Derivative.item_id == row.id))
            ],
            "custody": trail,
        }

    def render() -> None:
        console.print(f"[bold]{esc(view['name'])}[/bold]  [dim]{view['id']}[/dim]")
        console.print(f"{view['sha256']} · {view['size']} bytes · {esc(view['media_type'])}")
        if view["metadata_error"]:
            console.print(f"[yellow]metadata: {esc(view['metadata_error'])}[/yellow]")
        table = Table(title="Custody trail", title_justify="left")
        for column in ("leaf", "time (UTC)", "action", "actor", "state before", "proof"):
            table.add_column(column)
        for t in view["custody"]:
            e = t["event"]
            table.add_row(
                str(t["index"]),
                plain(e.get("time", "")[:19]),
                plain(e.get("action")),
                plain(e.get("actor")),
                plain(e.get("previous_state") or ""),
                plain(t["proof"]),
            )
        console.print(table)
        kinds = ", ".join(sorted({d["kind"] for d in view["derivatives"]}))
        console.print(f"{len(view['acquisitions'])} acquisition(s); derivatives: {kinds or '—'}")

    emit(as_json, view, render)


@evidence_app.command("get")
def evidence_get(
    ctx: typer.Context, item: str, out: Path = typer.Option(..., help="File to write.")
) -> None:
    """Copy an original out of the locker (recorded as a download in the custody log)."""
    import shutil

    from dalil.evidence import custody
    from dalil.evidence.blobs import CHUNK

    app = app_of(ctx)
    if out.exists():
        raise DalilError(f"{out} exists; choose a new file name")
    store = _store(ctx)
    with app.write() as session:
        row = _item(session, item)
        custody.record(session, "download", row, actor=app.settings.actor, details={"to": out.name})
        with store.open(row.sha256) as src, out.open("xb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    console.print(f"wrote {out} ({row.size} bytes, {row.sha256})")


@evidence_app.command("verify")
def evidence_verify(
    ctx: typer.Context,
    items: list[str] = typer.Argument(None, help="Items to check (default: all, with --all)."),
    all_: bool = typer.Option(False, "--all", help="Check every item and the whole log."),
    as_json: bool = JsonOption,
) -> None:
    """Re-hash originals and check every custody leaf against the latest checkpoint."""
    from dalil.evidence import log
    from dalil.evidence.checks import verify_blobs

    app = app_of(ctx)
    if not items and not all_:
        raise DalilError("name items to check, or pass --all")
    blobs = verify_blobs(app.database(), _store(ctx), item_ids=None if all_ else items)
    with app.read() as session:
        report = log.verify(session, key=_key(ctx))
    result = {"blobs": blobs.to_dict(), "log": report.to_dict()}

    def render() -> None:
        console.print(f"blobs: {blobs.checked} checked, {len(blobs.problems)} problem(s)")
        for bad in blobs.problems:
            console.print(
                f"  [bold red]{bad['problem']}[/]: {bad['what']} {bad['blob']} of {bad['item']}"
            )
        if blobs.unreferenced:
            console.print(f"  {len(blobs.unreferenced)} stored blob(s) no record refers to")
        console.print(
            f"custody log: {report.tree_size} leaves, "
            f"{report.added_since_checkpoint} since the checkpoint, "
            f"{len(report.problems)} problem(s)"
        )
        for p in report.problems:
            console.print(f"  [bold red]{esc(p.kind)}[/]: {esc(p.message)}")
        console.print(
            "[bold green]intact[/]" if blobs.ok and report.ok else "[bold red]NOT INTACT[/]"
        )

    emit(as_json, result, render)
    if not (blobs.ok and report.ok):
        raise typer.Exit(1)


@log_app.command("checkpoint")
def log_checkpoint(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Sign a checkpoint of the custody log (C2SP signed note) and print it."""
    from dalil.evidence import log

    app = app_of(ctx)
    key = _key(ctx)
    with app.write() as session:
        signed = log.checkpoint(session, key)
    view = signed.to_dict() | {"verifier_key": key.verifier_key}
    emit(
        as_json,
        view,
        lambda: console.print(plain(signed.note + "\nverifier key: " + key.verifier_key)),
    )


@log_app.command("prove")
def log_prove(ctx: typer.Context, item: str, as_json: bool = JsonOption) -> None:
    """Inclusion proofs of an item's custody events in the latest checkpoint."""
    from dalil.evidence import log

    app = app_of(ctx)
    with app.read() as session:
        row = _item(session, item)
        latest = log.latest_checkpoint(session)
        if latest is None:
            raise DalilError("no checkpoint yet", hint="run `dalil log checkpoint`")
        proofs = []
        for leaf in log.find_leaves(session, item=row.sha256, case_id=row.case_id):
            if leaf.index < latest.tree_size:
                proof = log.inclusion_proof(session, leaf.index, latest.tree_size)
                proofs.append(proof.to_dict() | {"verified": proof.verify(latest.root_hash)})
    view = {"item": row.id, "checkpoint": latest.to_dict(), "proofs": proofs}

    def render() -> None:
        for p in proofs:
            ok = "[green]verified[/]" if p["verified"] else "[bold red]FAILS[/]"
            console.print(
                f"leaf {p['leaf_index']} in {p['tree_size']}: {len(p['path'])} hashes, {ok}"
            )

    emit(as_json, view, render)


@log_app.command("consistency")
def log_consistency(ctx: typer.Context, old: int, new: int, as_json: bool = JsonOption) -> None:
    """Proof that the log of OLD leaves is a prefix of the log of NEW leaves."""
    from dalil.evidence import log

    app = app_of(ctx)
    with app.read() as session:
        proof = log.consistency_proof(session, old, new)
    view = proof.to_dict() | {"verified": proof.verify(proof.old_root, proof.new_root)}
    emit(
        as_json,
        view,
        lambda: console.print(
            f"{old} → {new}: {len(proof.path)} hashes; old root {proof.old_root.hex()}, "
            f"new root {proof.new_root.hex()}"
        ),
    )


@export_app.command("case")
def export_case_cmd(
    ctx: typer.Context,
    out: Path = typer.Option(..., help="The bundle to write (.zip); never overwritten."),
    items: list[str] = typer.Option(None, help="Only these items (repeatable)."),
    case: str | None = CaseOption,
    as_json: bool = JsonOption,
) -> None:
    """A BagIt case file a court can verify offline (`python verify.py`)."""
    from dalil.evidence.export import export_case

    app = app_of(ctx)
    with app.read() as session:
        slug = app.case(session, case).slug
    result = export_case(
        app.database(),
        _store(ctx),
        slug,
        out,
        actor=app.settings.actor,
        key=_key(ctx),
        item_ids=items,
    )
    emit(
        as_json,
        result.to_dict(),
        lambda: console.print(
            f"wrote {esc(result.path)}: {result.items} item(s), {result.events} custody event(s), "
            f"{result.bytes} bytes of originals, proven in a checkpoint of "
            f"{result.checkpoint_size} leaves. Check it: unzip, then python verify.py"
        ),
    )
