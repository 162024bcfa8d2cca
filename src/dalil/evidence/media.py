"""What a media file says about itself: type, container, streams, codecs, duration, tags, EXIF.

:func:`probe` guesses the type from the first bytes (the name only breaks ties), then reads
audio and video with PyAV and images with Pillow. The result is a JSON-safe :class:`MediaInfo`,
stored beside the original. Probing must never raise on bad media and never change the file:
unreadable, truncated or malformed files are still evidence, so the problem goes into
``MediaInfo.error`` as a short message (without the path, which may itself be sensitive).
"""

from __future__ import annotations

import math
import mimetypes
import warnings
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import PIL
from PIL import ExifTags, Image, TiffImagePlugin

_SNIFF = 512
_MAX_BYTES = 64  # longer binary EXIF values are summarised, not copied
_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x1aE\xdf\xa3", "video/x-matroska"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"FLV", "video/x-flv"),
    (0, b"#!AMR", "audio/amr"),
    (0, b"\x00\x00\x01\xba", "video/mpeg"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"BM", "image/bmp"),
    (8, b"WEBP", "image/webp"),
    (8, b"AVI ", "video/x-msvideo"),
    (8, b"WAVE", "audio/wav"),
]
_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}
_PILLOW_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/tiff", "image/bmp", "image/webp"}


@dataclass
class StreamInfo:
    index: int
    type: str  # video | audio | subtitle | data | attachment | unknown
    codec: str | None = None
    codec_long_name: str | None = None
    profile: str | None = None
    bit_rate: int | None = None
    duration: float | None = None
    frames: int | None = None
    width: int | None = None
    height: int | None = None
    pixel_format: str | None = None
    frame_rate: float | None = None
    rotation: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None
    language: str | None = None
    cover_art: bool = False
    packets: int | None = None  # counted by reading the whole stream (``verify=True``)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class MediaInfo:
    """Metadata extracted from one file; ``to_dict()`` is JSON-serialisable."""

    media_type: str  # MIME type, "application/octet-stream" when unknown
    kind: str  # image | video | audio | document | other
    size: int
    format: str | None = None  # FFmpeg demuxer name or Pillow format
    format_long_name: str | None = None
    duration: float | None = None  # seconds
    bit_rate: int | None = None
    width: int | None = None  # of the image, or of the first video stream
    height: int | None = None
    mode: str | None = None  # Pillow mode of an image ("RGB", "L", …)
    frames: int | None = None  # images: frames in an animated or multi-page file
    creation_time: str | None = None  # as the file states it; not verified
    tags: dict[str, str] = field(default_factory=dict)
    streams: list[StreamInfo] = field(default_factory=list)
    exif: dict[str, Any] = field(default_factory=dict)
    gps: dict[str, Any] | None = None
    error: str | None = None
    tool: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sniff(head: bytes, name: str = "") -> str:
    """MIME type from the first bytes of a file, the file name only when the bytes do not say."""
    for offset, magic, mime in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return mime
    if head[4:8] == b"ftyp":
        return _BRANDS.get(head[8:12], "video/mp4")
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "video/mp2t"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "audio/aac"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _kind(mime: str) -> str:
    top = mime.split("/")[0]
    if top in ("image", "video", "audio"):
        return top
    return "document" if mime in ("application/pdf", "text/plain") else "other"


def probe(path: str | Path, *, verify: bool = True) -> MediaInfo:
    """Extract metadata; never raises for bad media (see ``MediaInfo.error``).

    ``verify`` reads every packet of audio and video (streaming, no decoding beyond the first
    frame) to find truncation and damage the header does not show.
    """
    path = Path(path)
    tool = {"pyav": av.__version__, "ffmpeg": av.ffmpeg_version_info, "pillow": PIL.__version__}
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
    except OSError as exc:
        return MediaInfo("application/octet-stream", "other", 0, error=_short(exc, path), tool=tool)
    mime = sniff(head, path.name)
    info = MediaInfo(mime, _kind(mime), size, tool=tool)
    if size == 0:
        info.error = "empty file"
    elif info.kind == "image" and mime in _PILLOW_IMAGES:
        _guarded(_image, path, info)
    elif info.kind in ("video", "audio") or mime == "application/octet-stream":
        _guarded(_audio_video, path, info, verify)  # unknown bytes: let FFmpeg try
        if info.kind == "other" and info.error:
            info.error = "unrecognised format: neither audio, video nor image"
    elif info.kind == "image":
        info.error = f"{mime} images cannot be read by this build"
    return info


def _guarded(reader: Any, path: Path, info: MediaInfo, *args: Any) -> None:
    """Run a reader; any failure becomes the ``error`` of the info it was filling."""
    try:
        reader(path, info, *args)
    except Exception as exc:  # bad media must never stop an ingest
        info.error = info.error or _short(exc, path)


def _audio_video(path: Path, info: MediaInfo, verify: bool) -> None:
    with av.open(str(path), metadata_errors="replace") as container:
        info.format, info.format_long_name = container.format.name, container.format.long_name
        info.duration = _round(container.duration / av.time_base if container.duration else None)
        info.bit_rate = container.bit_rate or None
        info.tags = _tags(container.metadata)
        info.streams = [_stream(s) for s in container.streams]
        if verify:
            _verify(container, info)
    video = [s for s in info.streams if s.type == "video" and not s.cover_art]
    audio = [s for s in info.streams if s.type == "audio"]
    if not (video or audio):
        info.error = info.error or "no audio or video stream"
    info.kind = "video" if video else "audio" if audio else info.kind
    if video:
        info.width, info.height = video[0].width, video[0].height
    stated = [info.tags.get("creation_time"), *(s.tags.get("creation_time") for s in info.streams)]
    info.creation_time = next((t for t in stated if t), None)


def _stream(stream: av.stream.Stream) -> StreamInfo:
    context = stream.codec_context
    base = stream.time_base
    info = StreamInfo(
        index=stream.index,
        type=stream.type,
        codec=context.name if context is not None else None,
        codec_long_name=context.codec.long_name if context is not None else None,
        profile=stream.profile,
        duration=_round(float(stream.duration * base) if stream.duration and base else None),
        frames=stream.frames or None,
        language=stream.language,
        cover_art=bool(stream.disposition & av.stream.Disposition.attached_pic),
        tags=_tags(stream.metadata),
    )
    if context is not None:
        info.bit_rate = context.bit_rate or None
    if isinstance(stream, av.VideoStream):
        info.width, info.height = stream.codec_context.width, stream.codec_context.height
        info.pixel_format = stream.codec_context.pix_fmt
        info.frame_rate = _round(float(stream.average_rate) if stream.average_rate else None)
    elif isinstance(stream, av.AudioStream):
        info.sample_rate = stream.codec_context.sample_rate
        info.channels = stream.codec_context.channels
        info.channel_layout = stream.codec_context.layout.name
    return info


def _verify(container: av.container.InputContainer, info: MediaInfo) -> None:
    """Read every packet; decode the first video frame; flag early ends and read errors."""
    wanted = [s for s in container.streams if s.type in ("video", "audio")]
    if not wanted:
        return
    counts = {s.index: 0 for s in wanted}
    ends = {s.index: 0.0 for s in wanted}
    first_video = next((s for s in wanted if isinstance(s, av.VideoStream)), None)
    need_frame = first_video is not None
    try:
        for packet in container.demux(wanted):
            if packet.size == 0:
                continue
            index = packet.stream.index
            counts[index] += 1
            if packet.pts is not None and packet.time_base is not None:
                end = (packet.pts + (packet.duration or 0)) * packet.time_base
                ends[index] = max(ends[index], float(end))
            if need_frame and first_video is not None and index == first_video.index:
                for frame in first_video.decode(packet):
                    _rotation(info, index, frame)
                    need_frame = False
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        failure: str | None = _short(exc)
    else:
        failure = None
    for stream in info.streams:
        stream.packets = counts.get(stream.index, stream.packets)
    start = float(container.start_time or 0) / av.time_base
    reached = max(ends.values(), default=0.0) - start
    stated = f" of the {info.duration:.1f} s stated" if info.duration else ""
    if failure is not None:
        info.error = f"truncated or damaged: unreadable after {reached:.1f} s{stated} ({failure})"
    elif info.duration and reached < info.duration * 0.9 - 1.0:
        info.error = f"truncated: media ends at {reached:.1f} s{stated}"
    elif need_frame:
        info.error = "no video frame could be decoded"


def _rotation(info: MediaInfo, index: int, frame: av.VideoFrame) -> None:
    for stream in info.streams:
        if stream.index == index:
            stream.rotation = frame.rotation


def _image(path: Path, info: MediaInfo) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            info.format, info.mode = image.format, image.mode
            info.format_long_name = image.format_description
            info.width, info.height = image.size
            info.frames = int(getattr(image, "n_frames", 1))
            exif = image.getexif()
            info.exif = _exif(exif)
            info.gps = _gps(exif.get_ifd(ExifTags.IFD.GPSInfo))
            stated = info.exif.get("DateTimeOriginal") or info.exif.get("DateTime")
            if isinstance(stated, str) and len(stated) >= 19:
                info.creation_time = stated[:10].replace(":", "-") + "T" + stated[11:19]
            image.draft("RGB", (512, 512))  # JPEG: decode at reduced scale, still every byte
            image.load()  # decodes the pixels: finds truncated or corrupt data


def _exif(exif: Image.Exif) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tag, value in exif.items():
        if tag not in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo, ExifTags.IFD.Interop):
            out[ExifTags.TAGS.get(tag, f"0x{tag:04x}")] = _json(value)
    for tag, value in exif.get_ifd(ExifTags.IFD.Exif).items():
        out[ExifTags.TAGS.get(tag, f"0x{tag:04x}")] = _json(value)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if gps:
        out["GPSInfo"] = {ExifTags.GPSTAGS.get(t, f"0x{t:04x}"): _json(v) for t, v in gps.items()}
    return out


def _gps(gps: dict[int, Any]) -> dict[str, Any] | None:
    def degrees(value: Any, ref: Any, negative: str) -> float | None:
        try:
            d, m, s = (float(x) for x in value)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        result = d + m / 60 + s / 3600
        if not math.isfinite(result):
            return None
        return round(-result if str(ref).upper().startswith(negative) else result, 7)

    latitude = degrees(gps.get(2), gps.get(1, "N"), "S")
    longitude = degrees(gps.get(4), gps.get(3, "E"), "W")
    if latitude is None or longitude is None:
        return None
    out: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    altitude = _json(gps.get(6))
    if isinstance(altitude, float):
        out["altitude"] = -altitude if gps.get(5) in (1, b"\x01") else altitude
    return out


def _json(value: Any) -> Any:
    """A JSON-safe copy of an EXIF value: rationals as floats, bytes as text or a short hex."""
    if isinstance(value, TiffImagePlugin.IFDRational):
        return None if value.denominator == 0 else _json(float(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int | type(None)):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00")
        if text.isascii() and all(32 <= c < 127 or c in (9, 10, 13) for c in text):
            return text.decode("ascii").strip()
        if len(value) <= _MAX_BYTES:
            return "hex:" + value.hex()
        return f"<{len(value)} bytes>"
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, Fraction):
        return float(value)
    return str(value)


def _tags(metadata: dict[str, str]) -> dict[str, str]:
    return {str(k): str(v).replace("\x00", "") for k, v in metadata.items()}


def _round(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 3)


def _short(exc: BaseException, path: Path | None = None) -> str:
    """The reason for a failure, without the path that FFmpeg, Pillow and the OS put in messages."""
    reason = str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__
    if path is not None:
        reason = reason.replace(str(path), "the file").replace(path.name, "the file")
    return reason.splitlines()[0][:200]
