"""Evidence over HTTP: upload (streamed), metadata, custody events with proof status, downloads.

An upload is the raw request body (``application/octet-stream``), refused with 413 from its
``Content-Length`` before anything is read, or as soon as a body without one passes the limit;
it is streamed to a temporary file in ``$DALIL_HOME/tmp`` and handed to
:func:`dalil.evidence.ingest.ingest_file` (hash, write-once store, custody log). Downloads name
an item or a derivative by ID, never a path: the bytes are found through the database. The
original goes only to roles that may ``evidence.download``; every download is a custody event and
an audit entry. This module must never open a path taken from the request.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from dalil.access import Principal, audit, decide, require
from dalil.config import Settings, load_settings
from dalil.db import Entity
from dalil.db.models_evidence_items import Acquisition, Derivative, EvidenceItem
from dalil.errors import NotFound
from dalil.web.api.deps import DB, Caller, ExpensiveCaller, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.records import Slug, caller_case
from dalil.web.api.visibility import require_read, strip_names

router = APIRouter(prefix="/api", tags=["evidence"], responses=ERROR_RESPONSES)

ItemId = Annotated[str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$", description="Item ID.")]
DerivativeId = Annotated[
    str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$", description="Derivative ID.")
]
DEFAULT_MAX_BYTES = 2 * 1024**3
SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


class Upload(BaseModel):
    item_id: str
    sha256: str
    size: int
    new_item: bool
    supplier_hash_ok: bool | None
    media_type: str | None
    log_index: int


class EvidenceOut(BaseModel):
    id: str
    case_id: str
    sha256: str
    name: str
    size: int
    media_type: str | None
    sensitivity: str
    source_id: str | None
    created_at: str
    created_by: str | None
    acquisitions: list[dict[str, Any]]
    derivatives: list[dict[str, Any]]


class CustodyEvent(BaseModel):
    index: int
    leaf_hash: str
    event: dict[str, Any]
    proof: str = Field(
        description="checkpointed (proved in the latest signed checkpoint), pending (after it) "
        "or proof failed"
    )
    checkpoint: int | None = Field(default=None, description="The checkpoint's number.")


class CustodyOut(BaseModel):
    item_id: str
    checkpoint: dict[str, Any] | None
    events: list[CustodyEvent]


def settings_of(request: Request) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        settings = load_settings()
        request.app.state.settings = settings
    assert isinstance(settings, Settings)
    return settings


def max_bytes(request: Request) -> int:
    value = getattr(request.app.state, "upload_max_bytes", None)
    return value if isinstance(value, int) else DEFAULT_MAX_BYTES


def safe_name(name: str | None) -> str:
    """A file name with no folder part or odd characters (kept only as a label)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = SAFE_NAME.sub("_", base).strip(" .")[:200]
    return base or "upload.bin"


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the upload exceeds the limit of {limit} bytes")


@router.post(
    "/cases/{slug}/evidence",
    response_model=Upload,
    status_code=201,
    summary="Upload a file as evidence (the raw request body)",
    responses={413: ERROR_RESPONSES[422] | {"description": "The body is over the size limit."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def upload(
    request: Request,
    slug: Slug,
    db: DB,
    caller: ExpensiveCaller,
    source: Annotated[str, Query(max_length=80, description="ID of the source it came from.")],
    name: Annotated[str | None, Query(max_length=255, description="Original file name.")] = None,
    supplier_hash: Annotated[
        str | None, Query(max_length=160, description="The supplier's hash, e.g. sha256:…")
    ] = None,
    acquired_from: Annotated[str | None, Query(max_length=500)] = None,
    note: Annotated[str | None, Query(max_length=2000)] = None,
) -> Upload:
    def check() -> str:
        with db.reader() as session:
            case = caller_case(session, caller, slug)
            require(caller, "write", case.id, "restricted")
            return case.slug

    case_slug = await run_in_threadpool(check)
    limit = max_bytes(request)
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large(limit)
    settings = settings_of(request)
    tmp_root = settings.home / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    folder = FsPath(tempfile.mkdtemp(prefix="upload-", dir=tmp_root))
    try:
        target = folder / safe_name(name)
        received = 0
        with target.open("wb") as out:
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise too_large(limit)
                out.write(chunk)
        if received == 0:
            raise HTTPException(422, "the upload is empty")

        def ingest() -> Any:
            from dalil.evidence.blobs import LocalBlobStore
            from dalil.evidence.ingest import ingest_file

            store = LocalBlobStore(settings.blob_root, second_hash=settings.blake3)
            return ingest_file(
                db, store, target, case=case_slug, source=source, actor=caller.name,
                acquired_from=acquired_from, supplier_hash=supplier_hash, note=note,
            )  # fmt: skip

        done = await run_in_threadpool(ingest)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Upload(**{k: getattr(done, k) for k in Upload.model_fields})


def _item(session: Session, caller: Principal, ref: str) -> EvidenceItem:
    missing = f"no evidence item {ref!r}"
    item = session.get(EvidenceItem, ref)
    if item is None or item.case_id not in caller.roles:
        raise NotFound(missing)
    require_read(caller, item.case_id, item.sensitivity, missing)
    return item


@router.get("/evidence/{id}", response_model=EvidenceOut, summary="An evidence item's metadata")
def read_item(id: ItemId, session: Reader, caller: Caller) -> dict[str, Any]:
    item = _item(session, caller, id)
    acquisitions = [
        {
            "id": a.id, "at": a.at.isoformat(), "filename": a.filename,
            "collected_by": a.collected_by, "supplier_hash_ok": a.supplier_hash_ok,
            "log_index": a.log_index,
        }
        for a in session.scalars(
            select(Acquisition).where(Acquisition.item_id == item.id).order_by(Acquisition.at)
        )
    ]  # fmt: skip
    derivatives = [
        {"id": d.id, "kind": d.kind, "sha256": d.sha256, "timestamp": d.timestamp}
        for d in session.scalars(
            select(Derivative).where(Derivative.item_id == item.id).order_by(Derivative.id)
        )
    ]
    view = {
        "id": item.id, "case_id": item.case_id, "sha256": item.sha256, "name": item.name,
        "size": item.size, "media_type": item.media_type, "sensitivity": item.sensitivity,
        "source_id": item.source_id, "created_at": item.created_at.isoformat(),
        "created_by": item.created_by, "acquisitions": acquisitions, "derivatives": derivatives,
    }  # fmt: skip
    source = session.get(Entity, item.source_id)
    if source is None or not decide(caller, "read", item.case_id, source.sensitivity).allowed:
        view["source_id"] = None  # a hidden source's id would confirm that it exists
    named = strip_names(caller, item.case_id, view)
    if named is not view:
        for row in named["acquisitions"]:
            row["collected_by"] = None
    return named


@router.get(
    "/evidence/{id}/custody", response_model=CustodyOut, summary="Custody events and their proofs"
)
def read_custody(id: ItemId, session: Reader, caller: Caller) -> CustodyOut:
    from dalil.evidence import log
    from dalil.evidence.merkle import verify_inclusion

    item = _item(session, caller, id)
    require(caller, "read", item.case_id, "restricted")  # events name people who handled it
    latest = log.latest_checkpoint(session)
    events = []
    for leaf in log.find_leaves(session, item=item.sha256, case_id=item.case_id):
        status, seq = "pending", None
        if latest is not None and leaf.index < latest.tree_size:
            proof = log.inclusion_proof(session, leaf.index, latest.tree_size)
            ok = verify_inclusion(
                leaf.leaf_hash, leaf.index, latest.tree_size, proof.path, latest.root_hash
            )
            status, seq = ("checkpointed" if ok else "proof failed"), latest.seq
        events.append(
            CustodyEvent(
                index=leaf.index,
                leaf_hash=leaf.leaf_hash.hex(),
                event=leaf.event,
                proof=status,
                checkpoint=seq,
            )
        )
    checkpoint = None
    if latest is not None:
        checkpoint = {
            "seq": latest.seq,
            "tree_size": latest.tree_size,
            "root_hash": latest.root_hash.hex(),
        }
    return CustodyOut(item_id=item.id, checkpoint=checkpoint, events=events)


def _file(path: FsPath, filename: str) -> FileResponse:
    return FileResponse(
        path,
        media_type="application/octet-stream",  # never rendered by the browser
        filename=filename,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
        content_disposition_type="attachment",
    )


@router.get(
    "/evidence/{id}/original",
    response_class=FileResponse,
    summary="Download the original bytes (owner and investigator; recorded in custody and audit)",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_original(request: Request, id: ItemId, db: DB, caller: Caller) -> FileResponse:
    from dalil.evidence import custody
    from dalil.evidence.blobs import LocalBlobStore

    with db.transaction(caller.name) as session:
        item = _item(session, caller, id)
        require(caller, "evidence.download", item.case_id, item.sensitivity)
        custody.record(session, "download", item, actor=caller.name, details={"via": "api"})
        audit.record(session, caller.name, "evidence_download", item.case_id, {"item": item.id})
        sha256, filename = item.sha256, safe_name(item.name)
    settings = settings_of(request)
    store = LocalBlobStore(settings.blob_root, second_hash=settings.blake3)
    return _file(store.path(sha256), filename)


@router.get(
    "/evidence/{id}/derivatives/{derivative_id}",
    response_class=FileResponse,
    summary="Download a derivative (metadata, frames) by its ID",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_derivative(
    request: Request, id: ItemId, derivative_id: DerivativeId, session: Reader, caller: Caller
) -> FileResponse:
    from dalil.evidence.blobs import LocalBlobStore

    item = _item(session, caller, id)
    derivative = session.get(Derivative, derivative_id)
    if derivative is None or derivative.item_id != item.id:
        raise NotFound(f"no derivative {derivative_id!r} of {item.id}")
    settings = settings_of(request)
    store = LocalBlobStore(settings.blob_root, second_hash=settings.blake3)
    return _file(store.path(derivative.sha256, area="derivatives"), f"{derivative.id}.bin")
