"""Fixtures for the evidence locker: a case with a source, a blob store and a log key in tmp."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dalil.db import Database
from dalil.documentation import create, create_case
from dalil.evidence.blobs import LocalBlobStore
from dalil.evidence.keys import LogKey, load_key


@dataclass
class Locker:
    db: Database
    store: LocalBlobStore
    key: LogKey
    case: str
    source: str
    home: Path


@pytest.fixture
def locker(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Locker:
    home = tmp_path / "home"
    monkeypatch.setenv("DALIL_HOME", str(home))
    with db.transaction("collector") as session:
        case = create_case(session, "locker", title_en="Locker")
        source = create(session, case, "source", {"source_type": "media_item", "title": "Leak"})
        source_id = source.id
    return Locker(db, LocalBlobStore(home / "blobs"), load_key(home), "locker", source_id, home)
