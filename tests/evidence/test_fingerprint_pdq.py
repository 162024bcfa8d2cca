"""PDQ fingerprints: copies of a picture stay close, other pictures stay far, video is sampled."""

from __future__ import annotations

import io
import re
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from dalil.errors import InvalidInput
from dalil.evidence import synthetic
from dalil.evidence.fingerprint import (
    MATCH_DISTANCE,
    MIN_QUALITY,
    UndecodableMedia,
    fingerprint_video,
    hamming,
    pdq_array,
    pdq_image,
    pdq_image_crops,
)


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("images")
    out = {f"seed{s}": synthetic.make_image(root / f"s{s}.jpg", seed=s) for s in range(5)}
    src = out["seed0"]
    out["recompressed"] = synthetic.mutate_image(src, root / "q.jpg", quality=40)
    out["resized"] = synthetic.mutate_image(src, root / "r.jpg", scale=0.4, quality=70)
    out["cropped"] = synthetic.mutate_image(src, root / "c.jpg", crop=(32, 24, 576, 432))
    return out


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.make_video(tmp_path_factory.mktemp("video") / "v.mp4", 6, 320, 240, seed=4)


def test_hash_is_64_hex_digits_with_a_quality(images: dict[str, Path]) -> None:
    pdq = pdq_image(images["seed0"])
    assert re.fullmatch(r"[0-9a-f]{64}", pdq.hash)
    assert MIN_QUALITY <= pdq.quality <= 100
    assert pdq.algorithm == "pdq"


def test_recompressed_and_resized_copies_stay_within_match_distance(
    images: dict[str, Path],
) -> None:
    original = pdq_image(images["seed0"]).hash
    for copy in ("recompressed", "resized"):
        assert hamming(original, pdq_image(images[copy]).hash) <= MATCH_DISTANCE, copy


def test_unrelated_images_are_far_apart(images: dict[str, Path]) -> None:
    hashes = [pdq_image(images[f"seed{s}"]).hash for s in range(5)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    assert min(distances) > 2 * MATCH_DISTANCE


def test_a_centred_crop_matches_the_originals_crop_hash(images: dict[str, Path]) -> None:
    crops = {h.algorithm: h.hash for h in pdq_image_crops(images["seed0"])}
    cropped = pdq_image(images["cropped"]).hash  # 90 % of each side, centred
    assert hamming(crops["pdq-c90"], cropped) <= MATCH_DISTANCE
    assert hamming(crops["pdq"], cropped) > MATCH_DISTANCE  # PDQ alone does not survive crops


def test_exif_orientation_is_applied_before_hashing(
    images: dict[str, Path], tmp_path: Path
) -> None:
    upright = Image.open(images["seed1"]).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned; viewers rotate 90 degrees clockwise
    turned = tmp_path / "turned.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(turned, quality=95, exif=exif)
    assert hamming(pdq_image(images["seed1"]).hash, pdq_image(turned).hash) <= 8


def test_undecodable_images_raise_a_user_error(images: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff" + bytes(100))
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(images["seed2"].read_bytes()[:3000])
    for path in (junk, truncated):
        with pytest.raises(InvalidInput) as caught:
            pdq_image(path)
        assert str(tmp_path) not in str(caught.value)
    with pytest.raises(InvalidInput):
        pdq_array(np.zeros((8, 8), np.uint8))


def test_video_is_sampled_once_a_second_with_crops_and_thumbnails(video: Path) -> None:
    seen: list[tuple[float, float | None]] = []
    result = fingerprint_video(video, progress=lambda done, total: seen.append((done, total)))
    assert result.error is None
    assert result.duration == pytest.approx(6.0, abs=0.05)
    assert result.frames_decoded == 150
    assert [f.timestamp for f in result.whole_frames()] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    algorithms = {f.algorithm for f in result.frames}
    assert algorithms == {"pdq", "pdq-c95", "pdq-c90", "pdq-c85", "pdq-c80"}
    assert len(result.usable()) == len(result.frames)  # synthetic frames are never flat
    assert result.thumbnails[0].timestamp == 0.0
    for thumb in result.thumbnails:
        image = Image.open(io.BytesIO(thumb.jpeg))
        assert image.format == "JPEG"
        assert max(image.size) == 320
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[-1] >= 5.9
    assert seen[-1][1] == pytest.approx(6.0, abs=0.05)


def test_plain_vpdq_and_a_slower_rate(video: Path) -> None:
    result = fingerprint_video(video, interval=2.0, crops=(1.0,), thumbnails=False)
    assert [(f.timestamp, f.algorithm) for f in result.frames] == [
        (0.0, "pdq"),
        (2.0, "pdq"),
        (4.0, "pdq"),
    ]
    assert result.thumbnails == []


def test_undecodable_video_raises_and_truncated_video_keeps_its_frames(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(bytes(range(256)) * 40)
    audio_only = tmp_path / "audio.m4a"
    with av.open(str(audio_only), "w") as container:
        stream = container.add_stream("aac", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), "fltp", "mono")
        frame.sample_rate = 8000
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    for path in (junk, audio_only, tmp_path / "missing.mp4"):
        with pytest.raises(UndecodableMedia):
            fingerprint_video(path)
    fast = synthetic.make_video(tmp_path / "fast.mp4", 6, 320, 240, seed=4, faststart=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(fast.read_bytes()[: fast.stat().st_size // 2])
    partial = fingerprint_video(cut, thumbnails=False)
    assert partial.error is not None
    # The frames kept from the cut file are the picture the whole file shows at the same time.
    # A decoder may conceal a damaged block near the cut, so "the same picture" is PDQ's own
    # match distance, not byte-identical hashes; a frame of another time is far from it.
    full = {
        round(f.timestamp, 3): f.hash
        for f in fingerprint_video(fast, thumbnails=False).whole_frames()
    }
    kept = partial.whole_frames()
    assert 0 < len(kept) < len(full)
    for frame in kept:
        assert hamming(frame.hash, full[round(frame.timestamp, 3)]) <= MATCH_DISTANCE
