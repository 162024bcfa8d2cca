"""Deterministic synthetic media for tests, benchmarks and the demo case.

Everything made here is plainly fictional: moving geometric shapes over colour gradients, a little
noise, and the overlay "SYNTHETIC – DALIL DEMO" burnt into every frame. The same seed gives the same
pictures, so a demo can show that a re-encoded, cropped clip of one video is found by ``similar``.
This module must never be used on real evidence: it writes new files, it never edits one in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dalil.errors import InvalidInput

LABEL = "SYNTHETIC – DALIL DEMO"
_EXIF_LABEL = "SYNTHETIC - DALIL DEMO"  # EXIF ASCII fields cannot hold the en dash
_RGB = tuple[int, int, int]


def video_codec() -> str:
    """The encoder used for synthetic video: libx264 when this PyAV build has it, else mpeg4."""
    return "libx264" if "libx264" in av.codecs_available else "mpeg4"


@dataclass(frozen=True)
class _Shape:
    kind: str  # ellipse | rectangle | triangle
    colour: _RGB
    radius: float  # share of the frame height
    centre: tuple[float, float]  # shares of width and height
    freq: tuple[float, float]  # Hz along x and y, for shapes that move
    phase: tuple[float, float]

    @staticmethod
    def random(rng: np.random.Generator, radius: tuple[float, float], hz: float) -> _Shape:
        return _Shape(
            kind=str(rng.choice(["ellipse", "rectangle", "triangle"])),
            colour=_colour(rng),
            radius=float(rng.uniform(*radius)),
            centre=(float(rng.uniform(0.1, 0.9)), float(rng.uniform(0.1, 0.9))),
            freq=(float(rng.uniform(hz / 3, hz)), float(rng.uniform(hz / 3, hz))),
            phase=(float(rng.uniform(0, 2 * math.pi)), float(rng.uniform(0, 2 * math.pi))),
        )

    def draw(self, draw: ImageDraw.ImageDraw, cx: float, cy: float, height: int) -> None:
        r = self.radius * height
        box = (cx - r, cy - r, cx + r, cy + r)
        if self.kind == "ellipse":
            draw.ellipse(box, fill=self.colour)
        elif self.kind == "rectangle":
            draw.rectangle(box, fill=self.colour)
        else:
            draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=self.colour)


class _Scene:
    """A seeded picture as a function of time, shaped like footage from a slowly panning camera.

    A new backdrop (gradient, texture, large shapes) every few seconds, drifting slowly, with small
    shapes crossing it; a label and a caption with the seed and the second on top. Motion is kept
    slow on purpose: PDQ moves ~20 bits when a shape shifts 1 % of the frame, and one frame a
    second must still match a copy sampled half a second apart.
    """

    _MARGIN = 0.1  # the backdrop is this much larger than the frame on each side, for the pan
    _PAN = 0.005  # share of the frame width per second

    def __init__(self, seed: int, width: int, height: int) -> None:
        self.seed, self.width, self.height = seed, width, height
        rng = np.random.default_rng(seed)
        self.movers = [
            _Shape.random(rng, (0.03, 0.07), 0.005) for _ in range(int(rng.integers(3, 6)))
        ]
        self.scene_seconds = float(rng.uniform(5.0, 9.0))
        self._backdrops: dict[int, tuple[np.ndarray, float]] = {}
        self._noise = [
            rng.integers(-6, 7, size=(height, width, 3), dtype=np.int16) for _ in range(4)
        ]
        size = max(12, height // 20)
        self._pad = max(4, height // 60)
        self._label = _text_patch(LABEL, _font(size), self._pad)
        self._small = _font(max(10, size * 2 // 3))
        self._captions: dict[int, Image.Image] = {}

    def _backdrop(self, index: int) -> tuple[np.ndarray, float]:
        if index not in self._backdrops:
            rng = np.random.default_rng([self.seed, index])
            mw, mh = round(self.width * self._MARGIN), round(self.height * self._MARGIN)
            bw, bh = self.width + 2 * mw, self.height + 2 * mh
            a, b = np.array(_colour(rng), float), np.array(_colour(rng), float)
            angle = rng.uniform(0, 2 * math.pi)
            ys, xs = np.mgrid[0:bh, 0:bw]
            proj = xs / bw * math.cos(angle) + ys / bh * math.sin(angle)
            proj = (proj - proj.min()) / max(float(np.ptp(proj)), 1e-9)
            pixels = a + (b - a) * proj[..., None] + _clouds(rng, bh, bw)[..., None]
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
            draw = ImageDraw.Draw(image)
            for _ in range(int(rng.integers(3, 6))):
                shape = _Shape.random(rng, (0.12, 0.3), 0.0)
                shape.draw(draw, shape.centre[0] * bw, shape.centre[1] * bh, bh)
            self._backdrops = {index: (np.asarray(image), float(rng.uniform(0, 2 * math.pi)))}
        return self._backdrops[index]

    def render(self, t: float, noise: bool = True) -> np.ndarray:
        w, h = self.width, self.height
        index = int(t // self.scene_seconds)
        backdrop, heading = self._backdrop(index)
        mh, mw = (backdrop.shape[0] - h) // 2, (backdrop.shape[1] - w) // 2
        step = min((t - index * self.scene_seconds) * self._PAN * w, 0.9 * min(mw, mh))
        x, y = round(mw + step * math.cos(heading)), round(mh + step * math.sin(heading))
        image = Image.fromarray(backdrop[y : y + h, x : x + w])
        draw = ImageDraw.Draw(image)
        for s in self.movers:
            cx = w * (0.5 + 0.4 * math.sin(2 * math.pi * s.freq[0] * t + s.phase[0]))
            cy = h * (0.5 + 0.4 * math.sin(2 * math.pi * s.freq[1] * t + s.phase[1]))
            s.draw(draw, cx, cy, h)
        image.paste(self._label, (self._pad, self._pad))
        second = int(t)
        if second not in self._captions:
            text = f"seed {self.seed}  t={second:04d}s"
            self._captions = {second: _text_patch(text, self._small, self._pad // 2)}
        caption = self._captions[second]
        image.paste(caption, (self._pad, h - self._pad - caption.height))
        pixels: np.ndarray = np.asarray(image, dtype=np.uint8)
        if not noise:
            return pixels
        noisy = pixels.astype(np.int16) + self._noise[second % len(self._noise)]
        out: np.ndarray = np.clip(noisy, 0, 255).astype(np.uint8)
        return out


_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> _Font:
    try:  # DejaVu has the en dash; Pillow's built-in font does not
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _text_patch(text: str, font: _Font, pad: int) -> Image.Image:
    """White text on a black box, drawn once and pasted into every frame."""
    if not isinstance(font, ImageFont.FreeTypeFont) or "DejaVu" not in (font.getname()[0] or ""):
        text = text.replace("–", "-")
    left, top, right, bottom = font.getbbox(text)
    size = (math.ceil(right - left) + 2 * pad, math.ceil(bottom - top) + 2 * pad)
    patch = Image.new("RGB", size, (0, 0, 0))
    ImageDraw.Draw(patch).text((pad - left, pad - top), text, font=font, fill=(255, 255, 255))
    return patch


def _clouds(
    rng: np.random.Generator, height: int, width: int, strength: float = 60.0
) -> np.ndarray:
    """Smooth 1/f texture, like the uneven surfaces a real camera sees, in [-strength, strength]."""
    spectrum = np.fft.rfft2(rng.normal(size=(height, width)))
    fy, fx = np.fft.fftfreq(height)[:, None], np.fft.rfftfreq(width)[None, :]
    field = np.fft.irfft2(spectrum / np.maximum(np.hypot(fy, fx), 2.0 / width), s=(height, width))
    scaled: np.ndarray = field / max(float(np.abs(field).max()), 1e-9) * strength
    return scaled


def _colour(rng: np.random.Generator) -> _RGB:
    r, g, b = (int(v) for v in rng.integers(0, 256, size=3))
    return (r, g, b)


def _video_stream(
    container: av.container.OutputContainer, width: int, height: int, fps: int, codec: str | None
) -> av.VideoStream:
    name = codec or video_codec()
    options = {"preset": "veryfast", "crf": "23", "threads": "1"} if name == "libx264" else {}
    stream = container.add_stream(name, rate=fps, options=options)
    if not isinstance(stream, av.VideoStream):
        raise InvalidInput("codec", f"{name} is not a video encoder")
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.time_base = Fraction(1, fps)
    if name != "libx264":
        stream.bit_rate = max(200_000, width * height * fps // 8)
        stream.codec_context.thread_count = 1
    return stream


def _even(value: int) -> int:
    return max(2, value - value % 2)


def make_video(
    path: str | Path,
    seconds: float,
    width: int = 854,
    height: int = 480,
    fps: int = 25,
    seed: int = 0,
    *,
    audio: bool = False,
    codec: str | None = None,
    creation_time: str = "2020-01-01T00:00:00.000000Z",
    faststart: bool = False,
) -> Path:
    """Write a synthetic MP4 (or any container the suffix names) and return its path.

    Frames are drawn from ``seed`` alone; ``audio`` adds a quiet seeded sine tone in AAC;
    ``faststart`` puts the MP4 index before the media data, as web uploads have it.
    """
    if seconds <= 0 or fps <= 0:
        raise InvalidInput("seconds", "must be positive")
    width, height = _even(width), _even(height)
    out = Path(path)
    scene = _Scene(seed, width, height)
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(out), mode="w", options=options) as container:
        container.metadata.update(
            {"title": f"{LABEL} (seed {seed})", "comment": LABEL, "creation_time": creation_time}
        )
        stream = _video_stream(container, width, height, fps, codec)
        sound = container.add_stream("aac", rate=44100, layout="mono") if audio else None
        frames = round(seconds * fps)
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(scene.render(i / fps), format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if sound is not None:
            for chunk in _tone(seed, seconds, sound.codec_context.frame_size or 1024):
                container.mux(sound.encode(chunk))
            container.mux(sound.encode(None))
    return out


def _tone(seed: int, seconds: float, size: int, rate: int = 44100) -> Iterator[av.AudioFrame]:
    pitch = 220.0 + 220.0 * np.random.default_rng(seed).random()
    total = int(seconds * rate)
    for start in range(0, total, size):
        t = np.arange(start, min(start + size, total)) / rate
        samples = (0.1 * np.sin(2 * math.pi * pitch * t)).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate, frame.pts = rate, start
        yield frame


def _exif(seed: int, gps: tuple[float, float] | None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Dalil synthetic"  # Make
    exif[0x0110] = "Demo camera"  # Model
    exif[0x0131] = "dalil.evidence.synthetic"  # Software
    exif[0x010E] = f"{_EXIF_LABEL} seed {seed}"  # ImageDescription
    stamp = f"2020:01:01 {seed % 24:02d}:{seed % 60:02d}:00"
    exif[0x0132] = stamp  # DateTime
    exif.get_ifd(0x8769)[0x9003] = stamp  # DateTimeOriginal
    if gps is not None:
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2] = ("N" if gps[0] >= 0 else "S"), _dms(abs(gps[0]))
        ifd[3], ifd[4] = ("E" if gps[1] >= 0 else "W"), _dms(abs(gps[1]))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return (float(degrees), float(minutes), seconds)


def make_image(
    path: str | Path,
    seed: int = 0,
    size: tuple[int, int] = (640, 480),
    *,
    gps: tuple[float, float] | None = None,
    quality: int = 90,
) -> Path:
    """Write a synthetic JPEG with EXIF (camera, dates, optional GPS latitude/longitude)."""
    scene = _Scene(seed, size[0], size[1])
    pixels = scene.render(float(seed % 17) + 0.5)
    out = Path(path)
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=quality, exif=_exif(seed, gps))
    return out


def mutate_image(
    src: str | Path,
    dst: str | Path,
    *,
    crop: tuple[int, int, int, int] | None = None,
    scale: float = 1.0,
    quality: int = 70,
    keep_exif: bool = False,
) -> Path:
    """Write a changed copy of an image: crop ``(x, y, w, h)``, rescale, recompress as JPEG."""
    with Image.open(src) as original:
        exif = original.getexif() if keep_exif else None
        image = original.convert("RGB")
    if crop is not None:
        x, y, w, h = crop
        image = image.crop((x, y, x + w, y + h))
    if scale != 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = Path(dst)
    image.save(out, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return out


def derive_clip(
    src: str | Path,
    dst: str | Path,
    start: float,
    duration: float,
    *,
    crop: tuple[int, int, int, int] | None = None,
    reencode: bool = True,
    scale: float = 1.0,
    codec: str | None = None,
) -> Path:
    """Write part of a video as a new file: cropped ``(x, y, w, h)``, rescaled and re-encoded.

    With ``reencode=False`` packets are copied from the keyframe at or before ``start`` (so the clip
    may begin a little early), and no crop or scale is possible. Audio is not carried over.
    """
    if duration <= 0 or start < 0:
        raise InvalidInput("duration", "start must be >= 0 and duration positive")
    if not reencode:
        if crop is not None or scale != 1.0:
            raise InvalidInput("reencode", "cropping or scaling needs re-encoding")
        return _copy_clip(Path(src), Path(dst), start, duration)
    out = Path(dst)
    with av.open(str(src)) as source, av.open(str(out), mode="w") as target:
        video = source.streams.video[0]
        video.thread_type = "AUTO"
        fps = round(float(video.average_rate or 25))
        width = video.codec_context.width if crop is None else crop[2]
        height = video.codec_context.height if crop is None else crop[3]
        width, height = _even(round(width * scale)), _even(round(height * scale))
        stream = _video_stream(target, width, height, fps, codec)
        t0: float | None = None
        written = 0
        for frame in source.decode(video):
            t0 = frame.time if t0 is None else t0
            t = frame.time - t0
            if t < start - 1e-6:
                continue
            if t >= start + duration - 1e-6:
                break
            pixels = frame.to_ndarray(format="rgb24")
            if crop is not None:
                x, y, w, h = crop
                pixels = pixels[y : y + h, x : x + w]
            new = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels, np.uint8), format="rgb24")
            new = new.reformat(width=width, height=height, interpolation="AREA")
            new.pts = written
            written += 1
            target.mux(stream.encode(new))
        target.mux(stream.encode(None))
    return out


def _copy_clip(src: Path, dst: Path, start: float, duration: float) -> Path:
    with av.open(str(src)) as source, av.open(str(dst), mode="w") as target:
        video = source.streams.video[0]
        stream = target.add_stream_from_template(video)
        base = video.time_base or Fraction(1, 90000)
        pending: list[av.Packet[av.VideoStream]] = []
        shift: int | None = None
        for packet in source.demux(video):
            if packet.dts is None or packet.pts is None:
                continue
            t = float(packet.pts * base)
            if shift is None:
                if packet.is_keyframe and t <= start + 1e-6:
                    pending = []
                pending.append(packet)
                if t >= start - 1e-6 and pending[0].is_keyframe and pending[0].dts is not None:
                    shift = pending[0].dts
                    for held in pending:
                        _mux_shifted(target, stream, held, shift)
                continue
            if t >= start + duration:
                break
            _mux_shifted(target, stream, packet, shift)
    return dst


def _mux_shifted(
    target: av.container.OutputContainer,
    stream: av.VideoStream,
    packet: av.Packet[av.VideoStream],
    shift: int,
) -> None:
    if packet.pts is not None and packet.dts is not None:
        packet.pts, packet.dts = packet.pts - shift, packet.dts - shift
    packet.stream = stream
    target.mux(packet)
