"""Metadata extraction: the right facts from good media, an error (never a raise) from bad media."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.evidence import synthetic
from dalil.evidence.media import probe, sniff


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("media")
    video = synthetic.make_video(root / "v.mp4", 3, 320, 240, seed=5, audio=True)
    fast = synthetic.make_video(root / "fast.mp4", 3, 320, 240, seed=6, faststart=True)
    mkv = synthetic.make_video(root / "v.mkv", 3, 320, 240, seed=7)
    image = synthetic.make_image(root / "i.jpg", seed=3, gps=(10.5, -20.25))
    return {"video": video, "fast": fast, "mkv": mkv, "image": image, "root": root}


def _cut(src: Path, dst: Path, keep: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def test_video_probe_gives_container_streams_duration_and_stated_creation_time(
    media: dict[str, Path],
) -> None:
    info = probe(media["video"])
    assert info.error is None
    assert (info.media_type, info.kind, info.format_long_name) == (
        "video/mp4",
        "video",
        "QuickTime / MOV",
    )
    assert info.duration == pytest.approx(3.0, abs=0.05)
    assert (info.width, info.height) == (320, 240)
    assert info.creation_time == "2020-01-01T00:00:00.000000Z"
    assert "SYNTHETIC" in info.tags["title"]
    video, audio = info.streams
    assert video.codec == ("h264" if synthetic.video_codec() == "libx264" else "mpeg4")
    assert (video.width, video.height, video.frame_rate, video.packets) == (320, 240, 25.0, 75)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 44100, 1)
    assert json.loads(json.dumps(info.to_dict()))["streams"][0]["codec"] == video.codec
    assert info.tool["pyav"]
    assert info.tool["ffmpeg"]


def test_image_probe_gives_format_size_exif_with_names_and_gps(media: dict[str, Path]) -> None:
    info = probe(media["image"])
    assert info.error is None
    assert (info.media_type, info.kind, info.format, info.mode) == (
        "image/jpeg",
        "image",
        "JPEG",
        "RGB",
    )
    assert (info.width, info.height, info.frames) == (640, 480, 1)
    assert info.exif["Make"] == "Dalil synthetic"
    assert info.exif["DateTimeOriginal"] == "2020:01:01 03:03:00"
    assert info.creation_time == "2020-01-01T03:03:00"
    assert info.gps == {"latitude": 10.5, "longitude": -20.25}
    json.dumps(info.to_dict(), allow_nan=False)


def _bad_files(media: dict[str, Path]) -> dict[str, Path]:
    root = media["root"]
    (root / "random.bin").write_bytes(hashlib.sha512(b"x").digest() * 200)
    (root / "random.mp4").write_bytes(hashlib.sha512(b"y").digest() * 200)
    (root / "empty.mp4").write_bytes(b"")
    return {
        "truncated mp4 (index at end)": _cut(media["video"], root / "t1.mp4", 0.5),
        "truncated mp4 (index first)": _cut(media["fast"], root / "t2.mp4", 0.5),
        "truncated mkv": _cut(media["mkv"], root / "t3.mkv", 0.4),
        "truncated jpeg": _cut(media["image"], root / "t4.jpg", 0.5),
        "random bytes": root / "random.bin",
        "random bytes named .mp4": root / "random.mp4",
        "empty": root / "empty.mp4",
        "missing": root / "missing.mp4",
    }


def test_bad_media_gives_an_error_and_never_raises(media: dict[str, Path]) -> None:
    for name, path in _bad_files(media).items():
        info = probe(path)
        assert info.error, name
        assert str(media["root"]) not in info.error, "messages must not leak the path"
        json.dumps(info.to_dict(), allow_nan=False)


def test_truncation_is_reported_as_such(media: dict[str, Path]) -> None:
    cut = probe(_cut(media["fast"], media["root"] / "t5.mp4", 0.5))
    assert cut.error is not None
    assert "truncated" in cut.error
    assert cut.duration == pytest.approx(3.0, abs=0.05)  # what the header states is kept
    assert "truncated" in (probe(_cut(media["image"], media["root"] / "t6.jpg", 0.5)).error or "")


def test_probe_leaves_the_file_untouched(media: dict[str, Path]) -> None:
    for path in (media["video"], media["image"]):
        before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        probe(path)
        assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_documents_are_typed_without_an_error(tmp_path: Path) -> None:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(300))
    info = probe(pdf)
    assert (info.media_type, info.kind, info.error) == ("application/pdf", "document", None)


def test_type_comes_from_the_bytes_not_the_name() -> None:
    assert sniff(b"\xff\xd8\xff\xe0" + bytes(20), "clip.mp4") == "image/jpeg"
    assert sniff(b"\x00\x00\x00\x18ftypqt  " + bytes(8), "x.jpg") == "video/quicktime"
    assert sniff(b"\x00\x00\x00\x18ftypheic" + bytes(8), "x") == "image/heic"
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ", "x") == "audio/wav"
    assert sniff(b"nothing known", "notes.txt") == "text/plain"
    assert sniff(b"nothing known", "") == "application/octet-stream"


_PREFIXES = [
    b"",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"\x00\x00\x00\x18ftypisom",
    b"\x1aE\xdf\xa3",
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=2048))
def test_probe_never_raises_on_arbitrary_bytes(tmp_path: Path, prefix: bytes, body: bytes) -> None:
    path = tmp_path / "junk"
    path.write_bytes(prefix + body)
    info = probe(path)
    assert info.size == len(prefix + body)
    json.dumps(info.to_dict(), allow_nan=False)
