"""The PDQ index: exact Hamming search, persistence, and clips found inside longer videos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.evidence import synthetic
from dalil.evidence.fingerprint import fingerprint_video, hamming, pdq_image_crops
from dalil.evidence.similarity import HashIndex

hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)


def _flip(hash_hex: str, bits: list[int]) -> str:
    value = int(hash_hex, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:064x}"


def test_search_image_finds_near_copies_and_reports_each_item_once() -> None:
    base = "ab" * 32
    index = HashIndex()
    index.add("near", _flip(base, list(range(10))))
    index.add("far", _flip(base, list(range(0, 256, 2))))
    index.add("video", _flip(base, [3]), timestamp=4.0)
    index.add("video", _flip(base, [3, 4]), timestamp=5.0)
    assert index.search_image(base) == [("video", 1), ("near", 10)]
    assert index.search_image(base, max_distance=5) == [("video", 1)]
    assert [m.timestamp for m in index.search(base) if m.item_id == "video"] == [4.0, 5.0]


@settings(max_examples=60, deadline=None)
@given(
    stored=st.lists(hashes, min_size=1, max_size=40),
    query=hashes,
    flips=st.lists(st.integers(0, 255), max_size=40),
    max_distance=st.integers(0, 64),
)
def test_search_never_returns_a_distance_over_the_limit_and_misses_nothing(
    stored: list[str], query: str, flips: list[int], max_distance: int
) -> None:
    stored = [*stored, _flip(query, flips)]  # one hash close to the query
    index = HashIndex()
    for i, h in enumerate(stored):
        index.add(f"item{i}", h)
    found = index.search_image(query, max_distance)
    assert all(d <= max_distance for _, d in found)
    expected = {f"item{i}": hamming(query, h) for i, h in enumerate(stored)}
    assert dict(found) == {k: d for k, d in expected.items() if d <= max_distance}


def test_bad_hashes_are_refused() -> None:
    index = HashIndex()
    for bad in ("", "ab" * 31, "zz" * 32, "ab" * 33):
        with pytest.raises(InvalidInput):
            index.add("x", bad)


def test_serialisation_round_trip_keeps_rows_and_answers() -> None:
    rng = np.random.default_rng(1)
    index = HashIndex()
    for item in range(5):
        for t in range(3):
            code = bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()
            index.add(f"v{item}", code, float(t), "pdq" if t else "pdq-c90")
    index.add("img", "0f" * 32)
    index.remove("v2")
    copy = HashIndex.from_bytes(index.to_bytes())
    assert len(copy) == len(index) == 13
    assert copy.items() == index.items() == ["v0", "v1", "v3", "v4", "img"]
    assert "v2" not in copy
    assert "img" in copy
    for name in copy.items():
        assert copy.rows(name) == index.rows(name)
    assert copy.search_image("0f" * 32) == [("img", 0)]
    assert HashIndex.from_bytes(HashIndex().to_bytes()).items() == []


def test_damaged_index_bytes_are_refused() -> None:
    index = HashIndex()
    index.add("a", "01" * 32)
    data = index.to_bytes()
    for bad in (
        b"",
        b"not an index",
        data[:-1],
        data + b"\x00",
        data.replace(b'"version": 1', b'"version": 9'),
    ):
        with pytest.raises(InvalidInput):
            HashIndex.from_bytes(bad)


def test_an_image_query_finds_the_image_among_many(tmp_path: Path) -> None:
    index = HashIndex()
    for seed in range(4):
        path = synthetic.make_image(tmp_path / f"{seed}.jpg", seed=seed)
        index.add_image(f"img{seed}", pdq_image_crops(path))
    copy = synthetic.mutate_image(tmp_path / "2.jpg", tmp_path / "copy.jpg", scale=0.5, quality=50)
    index.add_image("copy", pdq_image_crops(copy))
    ranked = index.similar("copy")
    assert [c.item_id for c in ranked] == ["img2"]
    assert ranked[0].offset is None
    assert ranked[0].median_distance <= 31


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("videos")
    source = synthetic.make_video(root / "source.mp4", 20, 320, 240, fps=25, seed=11)
    other = synthetic.make_video(root / "other.mp4", 20, 320, 240, fps=25, seed=12)
    # 5 s from 6.3 s, about 10 % cut from each dimension around the centre (one pixel off),
    # re-encoded with the other encoder.
    clip = synthetic.derive_clip(
        source, root / "clip.mp4", 6.3, 5, crop=(17, 13, 288, 216), codec="mpeg4"
    )
    return {"source": source, "other": other, "clip": clip}


def _index(paths: dict[str, Path]) -> HashIndex:
    index = HashIndex()
    for name, path in paths.items():
        index.add_video(name, fingerprint_video(path, thumbnails=False).frames)
    return index


def test_a_cropped_reencoded_clip_is_found_inside_its_source(videos: dict[str, Path]) -> None:
    index = _index(videos)
    from_clip = index.similar("clip")
    assert [c.item_id for c in from_clip] == ["source"]
    top = from_clip[0]
    assert top.query_share >= 0.8
    assert top.frames_matched >= 4
    assert top.offset == pytest.approx(6.3, abs=1.0)
    assert top.median_distance <= 31
    from_source = index.similar("source")
    assert [c.item_id for c in from_source] == ["clip"]
    assert from_source[0].candidate_share >= 0.8  # the whole clip is inside the source
    assert from_source[0].query_share <= 0.5  # most of the source is not in the clip
    assert index.similar("other") == []


def test_a_downscaled_crop_of_a_480p_video_is_found(tmp_path: Path) -> None:
    source = synthetic.make_video(tmp_path / "s.mp4", 10, 854, 480, seed=21)
    clip = synthetic.derive_clip(
        source, tmp_path / "c.mp4", 3.4, 4, crop=(43, 24, 768, 432), scale=0.5
    )
    other = synthetic.make_video(tmp_path / "o.mp4", 4, 854, 480, seed=22)
    index = _index({"source": source, "other": other})
    query = fingerprint_video(clip, thumbnails=False).usable()
    ranked = index.similar_to([(f.timestamp, f.hash) for f in query])
    assert [c.item_id for c in ranked] == ["source"]
    assert ranked[0].query_share >= 0.75
