"""Evidence pages: the case's items, upload with progress, one item (metadata, derivatives,
thumbnails, custody trail with inclusion proofs, near-duplicates), and derivative playback.

Upload goes through the API's streaming upload (``POST /api/cases/{slug}/evidence``, the session
cookie and the ``X-CSRF-Token`` header): ``static/js/upload.js`` sends the file's bytes with
``XMLHttpRequest`` and shows the upload events as a progress bar, so there is one upload path,
with its size limit, temporary file and ingest, not two. The custody trail is the API's
(:func:`dalil.web.api.evidence.read_custody`), shown only to roles that read restricted material
(the events name who handled the item).

Playback and thumbnails serve **derivatives only**, by ID, from the blob store's derivatives area,
with HTTP Range (``FileResponse``) so a video seeks without downloading it whole. The original is
never sent by this module: downloading it is the API's audited ``/original`` route for roles that
may ``evidence.download``. This module must never open a path taken from the request.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from dalil.access import require
from dalil.db import Source
from dalil.db.models_evidence_items import Acquisition, Blob, Derivative, EvidenceItem
from dalil.errors import InvalidInput, NotFound
from dalil.web import session as web_session
from dalil.web.api.evidence import max_bytes, read_custody, settings_of
from dalil.web.api.visibility import require_read, strip_names
from dalil.web.ui.context import CasePage, Page, RecordId
from dalil.web.ui.labels import N_
from dalil.web.ui.templating import SECURITY_HEADERS, render

if TYPE_CHECKING:
    from dalil.evidence.blobs import LocalBlobStore

router = APIRouter(include_in_schema=False)

DerivativeId = Annotated[str, PathParam(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$")]
INLINE = ("image/jpeg", "image/png", "image/webp", "video/mp4", "video/webm", "audio/mpeg",
          "audio/ogg", "audio/webm", "application/json")  # fmt: skip
PLAYABLE = ("video/mp4", "video/webm", "audio/mpeg", "audio/ogg", "audio/webm")

PROOF_LABELS = {
    "checkpointed": N_("proved in the signed checkpoint"),
    "pending": N_("awaiting the next checkpoint"),
    "proof failed": N_("PROOF FAILED"),
}
ACTION_LABELS = {
    "ingest": N_("received"),
    "view": N_("viewed"),
    "download": N_("downloaded"),
    "copy": N_("copied"),
    "analysis": N_("analysed"),
    "export": N_("exported"),
    "transfer": N_("transferred"),
    "disposition": N_("disposed of"),
}
MEDIA_KINDS = {
    "image": N_("image"),
    "video": N_("video"),
    "audio": N_("audio"),
    "document": N_("document"),
    "other": N_("other"),
}
DERIVATIVE_LABELS = {
    "metadata": N_("extracted metadata"),
    "keyframe": N_("keyframe thumbnail"),
    "preview": N_("playable copy"),
}


def _item(page: Page, ref: str) -> EvidenceItem:
    assert page.case is not None
    assert page.principal is not None
    missing = f"no evidence item {ref!r}"
    item = page.session.get(EvidenceItem, ref)
    if item is None or item.case_id != page.case.id:
        raise NotFound(missing)
    require_read(page.principal, item.case_id, item.sensitivity, missing)
    return item


def _sources(page: Page) -> list[Source]:
    assert page.case is not None
    return list(
        page.session.scalars(
            select(Source)
            .where(Source.case_id == page.case.id, Source.deleted_at.is_(None))
            .where(Source.sensitivity.in_(page.levels))
            .order_by(Source.title, Source.id)
        )
    )


@router.get("/cases/{slug}/evidence")
def evidence_list(page: CasePage, request: Request) -> Response:
    assert page.case is not None
    items = list(
        page.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id == page.case.id)
            .where(EvidenceItem.sensitivity.in_(page.levels))
            .order_by(EvidenceItem.created_at.desc(), EvidenceItem.id)
            .limit(500)
        )
    )
    can_upload = page.can("write", "restricted")
    context = {
        "page": page,
        "active": "evidence",
        "items": items,
        "can_upload": can_upload,
        "sources": _sources(page) if can_upload else [],
        "limit": max_bytes(request),
    }
    return render(request, "evidence_list.html", context)


def _media_facts(item: EvidenceItem) -> list[tuple[str, Any]]:
    """The few facts a reader wants first, from the extracted metadata (the rest is below)."""
    media = item.media or {}
    facts: list[tuple[str, Any]] = []
    for key, label in (
        ("kind", N_("Kind")),
        ("width", N_("Width (pixels)")),
        ("height", N_("Height (pixels)")),
        ("duration", N_("Duration (seconds)")),
        ("created", N_("Created (as the file says)")),
    ):
        if media.get(key) not in (None, ""):
            facts.append((label, media[key]))
    return facts


def _derivatives(page: Page, item: EvidenceItem) -> list[dict[str, Any]]:
    rows = page.session.execute(
        select(Derivative, Blob.media_type, Blob.size)
        .join(Blob, Blob.sha256 == Derivative.sha256)
        .where(Derivative.item_id == item.id)
        .order_by(Derivative.kind, Derivative.timestamp, Derivative.id)
    ).all()
    return [
        {
            "id": d.id,
            "kind": d.kind,
            "label": DERIVATIVE_LABELS.get(d.kind),
            "timestamp": d.timestamp,
            "sha256": d.sha256,
            "media_type": media_type,
            "size": size,
            "url": page.case_url("evidence", item.id, "derivatives", d.id),
        }
        for d, media_type, size in rows
    ]


def _custody(page: Page, item: EvidenceItem) -> dict[str, Any] | None:
    """The item's custody events with their proof status (None: the role may not see them)."""
    assert page.principal is not None
    if not page.can("read", "restricted"):
        return None
    custody = read_custody(item.id, page.session, page.principal)
    events = []
    for e in custody.events:
        event = e.event
        events.append(
            {
                "index": e.index,
                "action": event.get("action"),
                "actor": event.get("actor"),
                "time": event.get("time"),
                "details": event.get("details") or {},
                "proof": e.proof,
                "checkpoint": e.checkpoint,
                "leaf_hash": e.leaf_hash,
            }
        )
    return {"checkpoint": custody.checkpoint, "events": events}


def _near_duplicates(
    request: Request, page: Page, item: EvidenceItem
) -> list[dict[str, Any]] | None:
    """Items of this case that look like this one (None: it has no fingerprints yet)."""
    from dalil.evidence.analysis import similar

    try:
        found = similar(request.app.state.db, item.id, limit=20)
    except InvalidInput:
        return None
    ids = [c.item_id for c in found]
    readable = {
        i.id: i
        for i in page.session.scalars(
            select(EvidenceItem).where(
                EvidenceItem.id.in_(ids), EvidenceItem.sensitivity.in_(page.levels)
            )
        )
    }
    return [
        {"item": readable[c.item_id], "score": c.score, "offset": c.offset,
         "frames": c.frames_matched, "distance": c.median_distance}
        for c in found
        if c.item_id in readable
    ]  # fmt: skip


@router.get("/cases/{slug}/evidence/{id}")
def evidence_item(page: CasePage, request: Request, id: RecordId) -> Response:
    assert page.case is not None
    assert page.principal is not None
    item = _item(page, id)
    acquisitions = [
        {"at": a.at, "filename": a.filename, "collected_by": a.collected_by,
         "supplier_hash_ok": a.supplier_hash_ok, "log_index": a.log_index}
        for a in page.session.scalars(
            select(Acquisition).where(Acquisition.item_id == item.id).order_by(Acquisition.at)
        )
    ]  # fmt: skip
    acquisitions = strip_names(page.principal, page.case.id, {"rows": acquisitions})["rows"]
    if not page.can("read", "restricted"):
        for row in acquisitions:
            row["collected_by"] = None
    derivatives = _derivatives(page, item)
    source = page.session.get(Source, item.source_id)
    context = {
        "page": page,
        "active": "evidence",
        "item": item,
        "source": source if source is not None and source.sensitivity in page.levels else None,
        "facts": _media_facts(item),
        "media_json": json.dumps(item.media or {}, indent=2, ensure_ascii=False, sort_keys=True),
        "acquisitions": acquisitions,
        "derivatives": derivatives,
        "thumbnails": [d for d in derivatives if d["media_type"] in ("image/jpeg", "image/png")],
        "playable": [d for d in derivatives if d["media_type"] in PLAYABLE],
        "custody": _custody(page, item),
        "similar": _near_duplicates(request, page, item),
        "proof_labels": PROOF_LABELS,
        "action_labels": ACTION_LABELS,
        "added": request.query_params.get("added") == "1",
        "can_preview": (
            (item.media or {}).get("kind") == "video"
            and not any(d["kind"] == "preview" for d in derivatives)
            and page.can("write", item.sensitivity)
        ),
        "preview_error": None,
        "can_fingerprint": (
            (item.media or {}).get("kind") in ("image", "video")
            and page.can("write", item.sensitivity)
        ),
        "kind_labels": MEDIA_KINDS,
    }
    return render(request, "evidence_item.html", context)


@router.get("/cases/{slug}/evidence/{id}/derivatives/{derivative_id}")
def evidence_derivative(
    page: CasePage, request: Request, id: RecordId, derivative_id: DerivativeId
) -> Response:
    """A derivative's bytes, with Range support (video seeking). Never the original."""
    from dalil.evidence.blobs import LocalBlobStore

    item = _item(page, id)
    derivative = page.session.get(Derivative, derivative_id)
    if derivative is None or derivative.item_id != item.id:
        raise NotFound(f"no derivative {derivative_id!r} of {item.id}")
    blob = page.session.get(Blob, derivative.sha256)
    if blob is None or blob.area != "derivatives":
        raise NotFound(f"no derivative {derivative_id!r} of {item.id}")
    media_type = blob.media_type if blob.media_type in INLINE else "application/octet-stream"
    settings = settings_of(request)
    store = LocalBlobStore(settings.blob_root, second_hash=settings.blake3)
    headers = dict(SECURITY_HEADERS) | {"Content-Security-Policy": "default-src 'none'; sandbox"}
    return FileResponse(
        store.path(derivative.sha256, area="derivatives"),
        media_type=media_type,
        headers=headers,
        content_disposition_type="inline",
    )


def _analyse(page: Page, request: Request, id: str) -> tuple[EvidenceItem, LocalBlobStore, str]:
    """What a request to analyse an item needs: the item (the caller may write at its level),
    the blob store, and the actor's name; the session's rate limit is spent."""
    from dalil.evidence.blobs import LocalBlobStore

    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    item = _item(page, id)
    require(page.principal, "write", page.case.id, item.sensitivity)
    web_session.limits_of(request).spend(f"session:{page.user.id}")
    settings = settings_of(request)
    return item, LocalBlobStore(settings.blob_root, second_hash=settings.blake3), page.user.name


@router.post("/cases/{slug}/evidence/{id}/preview", dependencies=[Depends(web_session.check_csrf)])
def make_playable_copy(page: CasePage, request: Request, id: RecordId) -> Response:
    """Make a playable copy (a WebM derivative) of a video item, for the player on its page."""
    from dalil.evidence.preview import make_preview

    item, store, actor = _analyse(page, request, id)
    make_preview(request.app.state.db, store, item.id, actor=actor)
    return RedirectResponse(page.case_url("evidence", item.id) + "#play-h", status_code=303)


@router.post(
    "/cases/{slug}/evidence/{id}/fingerprint", dependencies=[Depends(web_session.check_csrf)]
)
def fingerprint(page: CasePage, request: Request, id: RecordId) -> Response:
    """Fingerprint an image or video item (PDQ/vPDQ, with keyframe thumbnails for a video), so
    that its near-duplicates can be found; recorded as an ``analysis`` custody event."""
    from dalil.evidence.analysis import fingerprint_item

    item, store, actor = _analyse(page, request, id)
    fingerprint_item(request.app.state.db, store, item.id, actor=actor)
    return RedirectResponse(page.case_url("evidence", item.id) + "#similar-h", status_code=303)
