"""The evidence commands end to end, as an investigator would use them, on both databases."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.clihelp import Cli
from dalil.evidence.blobs import LocalBlobStore
from dalil.evidence.checks import verify_blobs
from dalil.evidence.ingest import ingest_file
from dalil.evidence.synthetic import derive_clip, make_image, make_video
from evidence.conftest import Locker


@pytest.fixture
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    make_video(folder / "footage.mp4", 8, width=320, height=180, seed=7)
    derive_clip(folder / "footage.mp4", folder / "clip.mp4", 2.3, 4, crop=(16, 9, 288, 162))
    make_image(folder / "photo.jpg", seed=9, size=(320, 240))
    return folder


def test_ingest_fingerprint_similar_checkpoint_verify_export(
    cli: Cli, media: Path, tmp_path: Path
) -> None:
    cli.ok("case", "create", "tadamon", "--title-en", "Tadamon")
    source = cli.new_id("source", "add", "--type", "media_item", "--title", "Leaked footage")
    added = cli.json("evidence", "add", str(media), "--source", source)
    assert [a["new_item"] for a in added] == [True, True, True]
    ids = {Path(a["path"]).name: a["item_id"] for a in added}
    again = cli.json("evidence", "add", str(media / "photo.jpg"), "--source", source)
    assert again[0]["item_id"] == ids["photo.jpg"]
    assert not again[0]["new_item"]
    done = cli.json("evidence", "fingerprint")
    assert {d["kind"] for d in done} == {"video", "image"}
    similar = cli.json("evidence", "similar", ids["clip.mp4"])
    assert similar[0]["item_id"] == ids["footage.mp4"]
    assert similar[0]["frames_matched"] >= 3
    checkpoint = cli.json("log", "checkpoint")
    assert checkpoint["tree_size"] == 7  # 4 ingests + 3 analyses
    proofs = cli.json("log", "prove", ids["photo.jpg"])
    assert [p["verified"] for p in proofs["proofs"]] == [True, True, True]  # 2 ingests, 1 analysis
    shown = cli.json("evidence", "show", ids["photo.jpg"])
    assert [t["proof"] for t in shown["custody"]] == ["proven", "proven", "proven"]
    consistency = cli.json("log", "consistency", "3", "7")
    assert consistency["verified"] is True
    report = cli.json("evidence", "verify", "--all")
    assert report["blobs"]["ok"]
    assert report["log"]["ok"]
    out = tmp_path / "case-file.zip"
    cli.ok("export", "case", "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert "case-file/verify.py" in names
    assert any(n.endswith("/clip.mp4") for n in names)
    got = tmp_path / "copy.mp4"
    cli.ok("evidence", "get", ids["clip.mp4"], "--out", str(got))
    assert got.read_bytes() == (media / "clip.mp4").read_bytes()


def test_verify_names_an_altered_original_and_exits_1(cli: Cli, media: Path) -> None:
    cli.ok("case", "create", "c", "--title-en", "C")
    source = cli.new_id("source", "add", "--type", "media_item", "--title", "S")
    item = cli.json("evidence", "add", str(media / "photo.jpg"), "--source", source)[0]
    store = LocalBlobStore(cli.home / "blobs")
    path = store.path(item["sha256"])
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    result = cli.run("evidence", "verify", "--all", "--json")
    assert result.code == 1
    assert '"altered"' in result.out
    assert item["item_id"] in result.out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_to_any_blob_is_detected(
    locker: Locker, tmp_path: Path, data: st.DataObject
) -> None:
    path = tmp_path / "one.bin"
    if not path.exists():
        path.write_bytes(bytes(range(256)) * 40)
        ingest_file(locker.db, locker.store, path, case="locker", source=locker.source, actor="a")
    blobs = [
        locker.store.path(h, area=area)
        for area in ("originals", "derivatives")
        for h in locker.store.iter_hashes(area=area)
    ]
    target = data.draw(st.sampled_from(blobs))
    before = target.read_bytes()
    at = data.draw(st.integers(0, len(before) - 1))
    target.chmod(0o600)
    target.write_bytes(
        before[:at] + bytes([before[at] ^ data.draw(st.integers(1, 255))]) + before[at + 1 :]
    )
    try:
        report = verify_blobs(locker.db, locker.store)
    finally:
        target.write_bytes(before)
    assert [p["problem"] for p in report.problems] == ["altered"]
