"""Perceptual fingerprints of evidence media: PDQ for images, PDQ per sampled frame for video.

PDQ (Meta ThreatExchange) gives a 256-bit hash, written here as 64 lowercase hex digits in the
reference order, and a quality from 0 to 100; two pictures match at Hamming distance <= 31, and a
hash of quality < 50 (flat, dark or blank frames) should not be used for matching. Video is hashed
vPDQ style: one frame per second of presentation time, decoded as a stream without seeking.

PDQ is robust to re-encoding, rescaling and colour changes but not to cropping: removing 1 % from
each side already moves a hash by about 20 bits. So each picture is also hashed at centred crops
keeping 95, 90, 85 and 80 % of its width and height (algorithms ``pdq-c95`` … ``pdq-c80``); a copy
cut down around its centre (black bars removed, zoomed, re-framed) matches one of them. Off-centre
crops of more than a few percent are not found by PDQ at all.

Error policy: a file that cannot be decoded at all (not media, no video stream, no frame) raises
:class:`UndecodableMedia`, an :class:`~dalil.errors.InvalidInput`. A video that decodes partly (a
truncated or damaged file) returns the frames it gave with ``VideoFingerprint.error`` set, since
those frames are still useful for matching. This module reads media; it never writes or modifies it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
import pdqhash
from PIL import Image, ImageOps, UnidentifiedImageError

from dalil.errors import InvalidInput

ALGORITHM = "pdq"
MATCH_DISTANCE = 31  # Hamming distance at or under which two PDQ hashes are the same picture
MIN_QUALITY = 50  # hashes under this quality are too flat to compare
HASH_HEX_LENGTH = 64
_WORK_SIZE = 512  # pictures are reduced to fit this box before hashing, as vPDQ does
_SCENE_CHANGE = 90  # distance from the last thumbnail at which a new one is taken
CROPS = (1.0, 0.95, 0.9, 0.85, 0.8)  # full picture, then centred crops (share of each side kept)

Progress = Callable[[float, float | None], None]


class UndecodableMedia(InvalidInput):
    """The file is not an image or video this build can decode; the original is still evidence."""

    def __init__(self, message: str) -> None:
        super().__init__("media", message, hint="keep the original; record the error with it")


@dataclass(frozen=True)
class ImageHash:
    hash: str
    quality: int
    algorithm: str = ALGORITHM

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FrameHash:
    timestamp: float  # seconds from the first decoded frame
    hash: str
    quality: int
    algorithm: str = ALGORITHM  # "pdq" for the whole frame, "pdq-c90" for a centred 90 % crop

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Thumbnail:
    timestamp: float
    jpeg: bytes = field(repr=False)
    width: int
    height: int


@dataclass
class VideoFingerprint:
    frames: list[FrameHash]
    thumbnails: list[Thumbnail]
    duration: float | None  # as the container declares it
    decoded_seconds: float  # presentation time of the last frame decoded
    frames_decoded: int
    error: str | None = None  # set when decoding stopped early; the frames before it are valid
    algorithm: str = ALGORITHM

    def usable(self, min_quality: int = MIN_QUALITY) -> list[FrameHash]:
        """The hashes good enough to match on (every crop of every sampled frame)."""
        return [f for f in self.frames if f.quality >= min_quality]

    def whole_frames(self) -> list[FrameHash]:
        """One hash per sampled frame: the whole picture, as plain vPDQ has it."""
        return [f for f in self.frames if f.algorithm == ALGORITHM]


def hamming(a: str, b: str) -> int:
    """Hamming distance between two hashes given as hex."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def pdq_array(rgb: np.ndarray) -> ImageHash:
    """PDQ of an RGB ``uint8`` array of shape (height, width, 3)."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InvalidInput("image", "expected an RGB uint8 array of shape (height, width, 3)")
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    # pdqhash gives bits most significant first, the order of ThreatExchange's hex form.
    return ImageHash(np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality))


def crop_algorithm(keep: float) -> str:
    """The algorithm name of a centred crop keeping ``keep`` of each side: ``pdq-c90`` for 0.9."""
    return ALGORITHM if keep >= 1.0 else f"{ALGORITHM}-c{round(keep * 100)}"


def pdq_crops(rgb: np.ndarray, crops: tuple[float, ...] = CROPS) -> list[ImageHash]:
    """PDQ of the picture and of centred crops of it, one hash per entry of ``crops``."""
    height, width = rgb.shape[:2]
    hashes = []
    for keep in crops:
        w, h = max(1, round(width * keep)), max(1, round(height * keep))
        x, y = (width - w) // 2, (height - h) // 2
        pdq = pdq_array(rgb[y : y + h, x : x + w])
        hashes.append(ImageHash(pdq.hash, pdq.quality, crop_algorithm(keep)))
    return hashes


def pdq_image(source: str | Path | Image.Image) -> ImageHash:
    """PDQ of an image file (or an open Pillow image), upright per its EXIF orientation."""
    return pdq_image_crops(source, (1.0,))[0]


def pdq_image_crops(
    source: str | Path | Image.Image, crops: tuple[float, ...] = CROPS
) -> list[ImageHash]:
    """PDQ of an image and of its centred crops (see :data:`CROPS`); the first is the whole."""
    if isinstance(source, Image.Image):
        return pdq_crops(_prepare(source), crops)
    try:
        with Image.open(source) as image:
            image.draft("RGB", (_WORK_SIZE, _WORK_SIZE))  # JPEG: decode at reduced scale
            return pdq_crops(_prepare(image), crops)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UndecodableMedia(f"image could not be decoded ({_short(exc, source)})") from exc


def _prepare(image: Image.Image) -> np.ndarray:
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((_WORK_SIZE, _WORK_SIZE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(upright)


def fingerprint_video(
    path: str | Path,
    *,
    interval: float = 1.0,
    thumbnails: bool = True,
    thumbnail_every: float = 10.0,
    thumbnail_size: int = 320,
    max_thumbnails: int = 60,
    crops: tuple[float, ...] = CROPS,
    progress: Progress | None = None,
    threads: int = 0,
) -> VideoFingerprint:
    """PDQ of one frame per ``interval`` seconds, plus small JPEG thumbnails of selected frames.

    Each sampled frame gives one hash per entry of ``crops`` (``(1.0,)`` is plain vPDQ).

    Thumbnails are taken at the first sampled frame, every ``thumbnail_every`` seconds and at scene
    changes, up to ``max_thumbnails``, each at most ``thumbnail_size`` pixels on its longer side.
    ``progress(seconds_decoded, duration)`` is called once per sampled frame; ``threads`` = 0 lets
    the decoder choose. Raises :class:`UndecodableMedia` when no frame at all can be decoded
    (FFmpeg reads a still image as a one-frame video: use :func:`pdq_image_crops` for those).
    """
    if interval <= 0:
        raise InvalidInput("interval", "must be positive")
    try:
        container = av.open(str(path), metadata_errors="replace")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UndecodableMedia(f"not a readable video ({_short(exc, path)})") from exc
    with container:
        if not container.streams.video:
            raise UndecodableMedia("the file has no video stream")
        sampler = _Sampler(
            interval, crops, (thumbnails, thumbnail_every, thumbnail_size, max_thumbnails)
        )
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
        duration = _duration(container, stream)
        rate = float(stream.average_rate or 25)
        error: str | None = None
        try:
            for frame in container.decode(stream):
                t = frame.time if frame.time is not None else sampler.count / rate
                if sampler.offer(frame, t) and progress is not None:
                    progress(sampler.last_t, duration)
        except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
            error = f"decoding stopped at {sampler.last_t:.1f} s: {_short(exc, path)}"
    if not sampler.frames:
        raise UndecodableMedia(error or "no video frame could be decoded")
    if error is None and duration and sampler.last_t < duration - max(2.0, 2 * interval):
        error = f"decoding stopped at {sampler.last_t:.1f} s of {duration:.1f} s (truncated?)"
    if progress is not None:
        progress(sampler.last_t, duration)
    return VideoFingerprint(
        frames=sampler.frames,
        thumbnails=sampler.thumbs,
        duration=duration,
        decoded_seconds=round(sampler.last_t, 3),
        frames_decoded=sampler.count,
        error=error,
    )


class _Sampler:
    """Picks one frame per interval from a stream of decoded frames, hashes and thumbnails it."""

    def __init__(
        self, interval: float, crops: tuple[float, ...], thumbs: tuple[bool, float, int, int]
    ) -> None:
        self.interval, self.crops = interval, crops
        self.want_thumbs, self.every, self.size, self.most = thumbs
        self.frames: list[FrameHash] = []
        self.thumbs: list[Thumbnail] = []
        self.count, self.last_t = 0, 0.0
        self._t0: float | None = None
        self._next = 0.0
        self._thumb_hash: str | None = None

    def offer(self, frame: av.VideoFrame, time: float) -> bool:
        """Take the frame if it is the first at or after the next sampling time."""
        self.count += 1
        if self._t0 is None:
            self._t0 = time
        t = time - self._t0
        self.last_t = max(self.last_t, t)
        if t + 1e-6 < self._next:
            return False
        self._next = (math.floor(t / self.interval + 1e-6) + 1) * self.interval
        w, h = _fit(frame.width, frame.height, _WORK_SIZE)
        rgb = frame.to_ndarray(width=w, height=h, format="rgb24", interpolation="AREA")
        hashes = pdq_crops(rgb, self.crops)
        self.frames.extend(FrameHash(round(t, 3), h.hash, h.quality, h.algorithm) for h in hashes)
        whole = hashes[0].hash
        if self.want_thumbs and len(self.thumbs) < self.most and self._wants_thumb(t, whole):
            self.thumbs.append(_thumbnail(frame, round(t, 3), self.size))
            self._thumb_hash = whole
        return True

    def _wants_thumb(self, t: float, pdq: str) -> bool:
        if self._thumb_hash is None or t - self.thumbs[-1].timestamp >= self.every - 1e-6:
            return True
        return hamming(pdq, self._thumb_hash) >= _SCENE_CHANGE


def _fit(width: int, height: int, box: int) -> tuple[int, int]:
    scale = min(1.0, box / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _thumbnail(frame: av.VideoFrame, t: float, size: int) -> Thumbnail:
    w, h = _fit(frame.width, frame.height, size)
    image = Image.fromarray(
        frame.to_ndarray(width=w, height=h, format="rgb24", interpolation="AREA")
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True)
    return Thumbnail(t, buffer.getvalue(), w, h)


def _duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _short(exc: BaseException, path: object = None) -> str:
    """The error's reason without the file path FFmpeg, Pillow and the OS put in messages."""
    reason = str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__
    if isinstance(path, str | Path):
        reason = reason.replace(str(path), "the file").replace(Path(path).name, "the file")
    return reason.splitlines()[0][:200]
