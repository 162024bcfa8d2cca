"""A playable copy of a video item: a small WebM (VP8) derivative for watching in a browser.

The original is read through the blob store (never written, never served); the copy is encoded
into a temporary file, stored in the derivatives area, registered as a ``preview`` derivative and
recorded as one ``analysis`` custody event naming the copy's hash. The copy is for watching only:
it is not evidence, and it carries no sound yet (the original keeps it). This module must never
hand the original's bytes to a player.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

from dalil.db import Database
from dalil.db.models_evidence_items import Derivative, EvidenceItem
from dalil.errors import InvalidInput
from dalil.evidence import custody
from dalil.evidence.analysis import kind_of
from dalil.evidence.blobs import LocalBlobStore
from dalil.evidence.ingest import TOOL, register_derivative

MAX_WIDTH = 640
MAX_SECONDS = 4 * 3600
KIND = "preview"
MEDIA_TYPE = "video/webm"


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def _encode(source: Path, target: Path, max_width: int) -> None:
    import av

    with av.open(str(source)) as inp:
        if not inp.streams.video:
            raise InvalidInput("item", "has no video stream to play")
        stream_in = inp.streams.video[0]
        width, height = stream_in.codec_context.width, stream_in.codec_context.height
        if not width or not height:
            raise InvalidInput("item", "the video has no frame size")
        scale = min(1.0, max_width / width)
        out_w, out_h = _even(width * scale), _even(height * scale)
        rate = stream_in.average_rate or Fraction(25)
        rate = min(Fraction(rate), Fraction(30))
        with av.open(str(target), mode="w", format="webm") as out:
            stream = out.add_stream("libvpx", rate=rate)
            assert isinstance(stream, av.VideoStream)
            stream.width, stream.height, stream.pix_fmt = out_w, out_h, "yuv420p"
            stream.time_base = Fraction(1, 1000)
            stream.bit_rate = 800_000
            stream.codec_context.thread_count = 1
            for frame in inp.decode(stream_in):
                if frame.time is not None and frame.time > MAX_SECONDS:
                    break
                shown = frame.reformat(width=out_w, height=out_h, format="yuv420p")
                shown.pts = None if frame.time is None else round(frame.time * 1000)
                shown.time_base = Fraction(1, 1000)
                out.mux(stream.encode(shown))
            out.mux(stream.encode(None))


def make_preview(
    db: Database, store: LocalBlobStore, item_id: str, *, actor: str, max_width: int = MAX_WIDTH
) -> str:
    """Make (or return the existing) playable copy of a video item; returns the derivative ID."""
    from sqlalchemy import select

    with db.reader() as session:
        item = session.get(EvidenceItem, item_id)
        if item is None:
            raise InvalidInput("item", f"no evidence item {item_id!r}")
        if kind_of(item) != "video":
            raise InvalidInput("item", "is not a video: there is nothing to play")
        existing = session.scalar(
            select(Derivative.id).where(Derivative.item_id == item_id, Derivative.kind == KIND)
        )
        if existing is not None:
            return existing
        sha256 = item.sha256
    with tempfile.TemporaryDirectory(prefix="preview-") as folder:
        target = Path(folder) / "preview.webm"
        try:
            _encode(store.path(sha256), target, max_width)
        except InvalidInput:
            raise
        except Exception as exc:  # a damaged or odd video: say so, keep nothing
            raise InvalidInput(
                "item", f"could not be made playable ({type(exc).__name__})"
            ) from None
        stored = store.put_bytes(target.read_bytes(), area="derivatives")
    with db.transaction(actor) as session:
        item = session.get(EvidenceItem, item_id)
        assert item is not None
        derivative = register_derivative(session, item_id, stored, KIND, MEDIA_TYPE)
        session.flush()
        custody.record(
            session, "analysis", item, actor=actor,
            details={"analysis": KIND, "derivative": stored.sha256, "tool": TOOL},
        )  # fmt: skip
        return derivative.id
