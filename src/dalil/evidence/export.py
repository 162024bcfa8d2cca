"""Court case files: a BagIt bundle a prosecutor can verify offline, with no Dalil installed.

``dalil export case C --out bundle.zip`` writes, for the chosen items of a case: the originals
byte for byte, each item's metadata and acquisitions (who supplied an item is withheld: it can
endanger a source), the item's custody events with inclusion proofs, the signed checkpoint they
are proven against and the log's public key, a human-readable ``index.html``, and ``verify.py``
(standard library only). The export is itself a custody event of every item, signed into the
checkpoint the bundle carries. The zip is written to a temporary name and renamed when complete.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy import select

from dalil import __version__
from dalil.db import Case, Database
from dalil.db.models_evidence_items import Acquisition, EvidenceItem
from dalil.documentation import get_case
from dalil.errors import InvalidInput
from dalil.evidence import custody, log
from dalil.evidence.blobs import CHUNK, LocalBlobStore
from dalil.evidence.keys import LogKey

UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_name(name: str) -> str:
    cleaned = UNSAFE.sub("_", Path(name).name).strip(". ") or "original"
    return cleaned[:150]


def verifier_source() -> str:
    """The text of the bundle's ``verify.py``: Merkle and checkpoint code, then the checker."""
    package = files("dalil.evidence")

    def body(name: str) -> str:
        text = package.joinpath(name).read_text("utf-8")
        text = text.replace("from __future__ import annotations\n", "")
        start, end = (
            "# --- package imports (removed in verify.py) ---",
            "# --- end of package imports ---",
        )
        if start in text:
            text = text[: text.index(start)] + text[text.index(end) + len(end) :]
        return f"\n# ---- from dalil/evidence/{name} ----\n{text}"

    header = (
        "#!/usr/bin/env python3\n"
        f'"""Verifier of a Dalil {__version__} court bundle: run `python verify.py`.\n\n'
        "Standard library only (the Ed25519 signature check uses `cryptography` if installed).\n"
        '"""\n\nfrom __future__ import annotations\n'
    )
    return header + body("merkle.py") + body("checkpoint.py") + body("bundle_verify.py")


@dataclass
class Exported:
    path: str
    items: int
    events: int
    bytes: int
    checkpoint_size: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def export_case(
    db: Database,
    store: LocalBlobStore,
    case_ref: str,
    out: Path,
    *,
    actor: str,
    key: LogKey,
    item_ids: list[str] | None = None,
) -> Exported:
    if out.exists():
        raise InvalidInput("out", f"{out} exists already; bundles are never overwritten")
    if not out.parent.is_dir():
        raise InvalidInput("out", f"the folder {out.parent} does not exist")
    with db.transaction(actor) as session:
        case = get_case(session, case_ref)
        query = select(EvidenceItem).where(EvidenceItem.case_id == case.id)
        if item_ids:
            query = query.where(EvidenceItem.id.in_(item_ids))
        items = list(session.scalars(query.order_by(EvidenceItem.created_at, EvidenceItem.id)))
        missing = set(item_ids or []) - {i.id for i in items}
        if missing:
            raise InvalidInput("items", f"not evidence of case {case.slug}: {sorted(missing)}")
        if not items:
            raise InvalidInput("case", f"case {case.slug} has no evidence to export")
        for item in items:
            custody.record(session, "export", item, actor=actor, details={"bundle": out.name})
        signed = log.checkpoint(session, key)
        events = []
        for item in items:
            for leaf in log.find_leaves(session, item=item.sha256, case_id=case.id):
                proof = log.inclusion_proof(session, leaf.index, signed.tree_size)
                events.append({"data": leaf.data.decode("utf-8"), "proof": proof.to_dict()})
        records = [_record(session, item) for item in items]
        index_html = _index(case, records, events, signed.note)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        bag = Path(tmp) / out.stem
        (bag / "originals").mkdir(parents=True)
        (bag / "metadata").mkdir()
        (bag / "custody").mkdir()
        total = 0
        for item, record in zip(items, records, strict=True):
            target = bag / record["original"].removeprefix("data/")  # make_bag adds data/
            target.parent.mkdir(parents=True, exist_ok=True)
            with store.open(item.sha256) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            total += item.size
            (bag / "metadata" / f"{item.id}.json").write_text(_json(record), "utf-8")
        (bag / "custody" / "events.jsonl").write_text(
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), "utf-8"
        )
        (bag / "custody" / "checkpoint.txt").write_text(signed.note, "utf-8")
        (bag / "custody" / "verifier-key.txt").write_text(key.verifier_key + "\n", "utf-8")
        (bag / "index.html").write_text(index_html, "utf-8")
        made = bagit.make_bag(
            str(bag),
            {"Source-Organization": "Dalil", "External-Description": f"Case {case.slug}"},
            checksums=["sha256"],
        )
        (bag / "verify.py").write_text(verifier_source(), "utf-8")
        made.save(manifests=False)  # the tag manifest now covers verify.py too
        partial = out.with_name(f".{out.name}.part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
            for path in sorted(bag.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(bag.parent).as_posix())
        os.replace(partial, out)
    return Exported(str(out), len(items), len(events), total, signed.tree_size)


def _record(session: Any, item: EvidenceItem) -> dict[str, Any]:
    acquisitions = session.scalars(
        select(Acquisition).where(Acquisition.item_id == item.id).order_by(Acquisition.at)
    )
    return {
        "id": item.id,
        "sha256": item.sha256,
        "size": item.size,
        "name": item.name,
        "media_type": item.media_type,
        "original": f"data/originals/{item.id}/{safe_name(item.name)}",
        "metadata": item.media,
        "metadata_error": item.media_error,
        "acquisitions": [
            {
                "id": a.id,
                "filename": a.filename,
                "collected_by": a.collected_by,
                "acquired_from": "withheld" if a.acquired_from else None,
                "supplier_hash": a.supplier_hash,
                "supplier_hash_ok": a.supplier_hash_ok,
                "tool": a.tool,
                "at": a.at.isoformat(),
                "custody_leaf": a.log_index,
            }
            for a in acquisitions
        ],
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _index(
    case: Case, records: list[dict[str, Any]], events: list[dict[str, Any]], note: str
) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(r['id'])}</td><td>{esc(r['name'])}</td><td><code>{esc(r['sha256'])}</code>"
        f"</td><td>{r['size']}</td><td>{esc(r['media_type'] or '')}</td></tr>"
        for r in records
    )
    trail = "".join(
        f"<tr><td>{e['proof']['leaf_index']}</td><td>{esc(ev.get('time', ''))}</td>"
        f"<td>{esc(ev.get('action', ''))}</td><td>{esc(ev.get('actor', ''))}</td>"
        f"<td><code>{esc(str(ev.get('item', '')))}</code></td></tr>"
        for e in events
        for ev in [json.loads(e["data"])]
    )
    title = esc(case.title_en or case.title_ar or case.slug)
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>Dalil case file: {title}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #999;padding:4px}"
        "table{border-collapse:collapse}code{font-size:.85em}</style>"
        f"<h1>Case file: {title}</h1><p>Case <b>{esc(case.slug)}</b>. "
        "Run <code>python verify.py</code> in this folder to check every byte and every "
        "custody event against the signed checkpoint below.</p>"
        f"<h2>Evidence items</h2><table><tr><th>item</th><th>name</th><th>SHA-256</th>"
        f"<th>bytes</th><th>type</th></tr>{rows}</table>"
        f"<h2>Custody events</h2><table><tr><th>leaf</th><th>time (UTC)</th><th>action</th>"
        f"<th>actor</th><th>item</th></tr>{trail}</table>"
        f"<h2>Signed checkpoint</h2><pre>{esc(note)}</pre></html>"
    )
