"""A court bundle verifies offline, and fails loudly after any single byte of it changes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.evidence.bundle_verify import verify
from dalil.evidence.export import export_case
from dalil.evidence.ingest import ingest_file
from evidence.conftest import Locker


@pytest.fixture
def bundle(locker: Locker, tmp_path: Path) -> Path:
    for n, data in enumerate([b"video bytes " * 5000, b"\xff\xd8\xff photo", b"doc"]):
        path = tmp_path / f"item-{n}.bin"
        path.write_bytes(data)
        ingest_file(
            locker.db, locker.store, path, case="locker", source=locker.source, actor="amal"
        )
    out = tmp_path / "out" / "tadamon-bundle.zip"
    out.parent.mkdir()
    result = export_case(locker.db, locker.store, "locker", out, actor="prosecutor", key=locker.key)
    assert (result.items, result.events) == (3, 6)  # an ingest and an export per item
    with zipfile.ZipFile(out) as archive:
        archive.extractall(out.parent)
    return out.parent / "tadamon-bundle"


def test_bundle_verifies_with_the_standalone_script(bundle: Path) -> None:
    run = subprocess.run(
        [sys.executable, "verify.py"], cwd=bundle, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK:" in run.stdout
    # without site-packages (no Dalil, no cryptography) it still checks all but the signature
    bare = subprocess.run(
        [sys.executable, "-S", "-I", "verify.py"], cwd=bundle, capture_output=True, text=True
    )
    assert bare.returncode == 0, bare.stdout + bare.stderr
    assert "signature was NOT checked" in bare.stdout


def test_the_zip_itself_verifies_and_a_pinned_wrong_key_fails(bundle: Path) -> None:
    problems, _ = verify(bundle.parent / "tadamon-bundle.zip")
    assert problems == []
    other = "dalil/other+00000000+Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    problems, _ = verify(bundle, other)
    assert problems
    assert "checkpoint" in problems[0]


def test_bundle_records_withhold_who_supplied_the_item(locker: Locker, tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"testimony video")
    ingest_file(
        locker.db,
        locker.store,
        path,
        case="locker",
        source=locker.source,
        actor="a",
        acquired_from="Witness W-17, Gaziantep",
    )
    out = tmp_path / "b.zip"
    export_case(locker.db, locker.store, "locker", out, actor="p", key=locker.key)
    with zipfile.ZipFile(out) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist()).decode("latin-1")
    assert "Witness W-17" not in text
    with pytest.raises(InvalidInput, match="never overwritten"):
        export_case(locker.db, locker.store, "locker", out, actor="p", key=locker.key)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_is_detected(bundle: Path, data: st.DataObject) -> None:
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and p.name != "verify.py")
    target = data.draw(st.sampled_from(files), label="file")
    original = target.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1), label="offset")
    flip = data.draw(st.integers(1, 255), label="xor")
    target.write_bytes(original[:at] + bytes([original[at] ^ flip]) + original[at + 1 :])
    try:
        problems, _ = verify(bundle)
    finally:
        target.write_bytes(original)
    assert problems, f"a change at byte {at} of {target.relative_to(bundle)} went unnoticed"


def test_removed_added_and_reordered_custody_events_are_detected(bundle: Path) -> None:
    events = bundle / "data" / "custody" / "events.jsonl"
    lines = events.read_text("utf-8").splitlines(keepends=True)
    forged = json.loads(lines[0])
    forged_event = json.loads(forged["data"]) | {"actor": "someone else"}
    forged["data"] = json.dumps(forged_event, sort_keys=True, separators=(",", ":"))
    for variant in (
        lines[1:],
        [*lines, lines[0]],
        lines[::-1],
        [json.dumps(forged) + "\n", *lines[1:]],
    ):
        events.write_text("".join(variant), "utf-8")
        problems, _ = verify(bundle)
        assert problems
    events.write_text("".join(lines), "utf-8")
    assert verify(bundle)[0] == []
