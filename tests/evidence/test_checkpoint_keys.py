"""The installation's signing key: created once, private to its owner, never shown."""

from __future__ import annotations

import os
import pickle
import stat
import threading
from pathlib import Path

import pytest

from dalil.errors import ConfigError
from dalil.evidence.checkpoint import (
    checkpoint_body,
    open_checkpoint,
    parse_verifier_key,
    sign_note,
)
from dalil.evidence.keys import installation_key, key_path, load_key


def test_the_key_is_created_on_first_use_with_owner_only_permissions(tmp_path: Path) -> None:
    key = load_key(tmp_path)
    path = key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left behind
    again = load_key(tmp_path)
    assert again.public_key == key.public_key
    assert key.name.startswith("dalil/")
    assert key.origin == key.name


def test_the_private_key_never_shows_in_repr_or_pickle(tmp_path: Path) -> None:
    key = load_key(tmp_path)
    secret_pem = key_path(tmp_path).read_text()
    body = secret_pem.splitlines()[1]
    assert body not in repr(key)
    assert key.verifier_key in repr(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert "PRIVATE" not in key.public_pem()


def test_the_public_verifier_key_checks_checkpoints_it_signed(tmp_path: Path) -> None:
    key = load_key(tmp_path)
    verifier = parse_verifier_key(key.verifier_key)
    note = sign_note(
        checkpoint_body(key.origin, 3, b"\x07" * 32), key.name, key.public_key, key.sign
    )
    assert open_checkpoint(note, [verifier], key.origin).size == 3


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_key(tmp_path)
    os.chmod(key_path(tmp_path), 0o644)
    with pytest.raises(ConfigError, match="readable by other users") as raised:
        load_key(tmp_path)
    assert raised.value.hint is not None
    assert "chmod 600" in raised.value.hint


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    load_key(tmp_path)
    key_path(tmp_path).write_text("not a key")
    with pytest.raises(ConfigError, match="not a readable Ed25519 key"):
        load_key(tmp_path)


def test_no_key_is_made_when_creation_is_not_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no log signing key"):
        load_key(tmp_path, create=False)
    assert not key_path(tmp_path).exists()


def test_processes_starting_together_end_up_with_one_key(tmp_path: Path) -> None:
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_key(tmp_path).public_key))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1


def test_the_installation_key_lives_under_dalil_home(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DALIL_HOME", str(tmp_path))
    key = installation_key()
    assert key_path(tmp_path).exists()
    assert installation_key(tmp_path).public_key == key.public_key
