"""`kill -9` at any moment of an ingest loses nothing committed and leaves no partial original."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import select

from dalil.db.models_evidence_items import EvidenceItem
from dalil.evidence.ingest import ingest_file
from evidence.conftest import Locker

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dalil.db import Database
    from dalil.evidence.blobs import LocalBlobStore
    from dalil.evidence.ingest import ingest_file
    url, root, source, *paths = sys.argv[1:]
    db, store = Database(url), LocalBlobStore(Path(root))
    for p in paths:
        ingest_file(db, store, Path(p), case="locker", source=source, actor="child")
        print("done", p, flush=True)
    """
)


def test_killed_ingests_leave_only_complete_originals(locker: Locker, tmp_path: Path) -> None:
    files = []
    for n in range(4):
        path = tmp_path / f"video-{n}.bin"
        path.write_bytes(os.urandom(12 << 20))
        files.append(path)
    url = locker.db.url
    committed_before_kill: set[str] = set()
    for delay in (0.05, 0.3, 0.8, 1.5):  # kill at different moments of the run
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(locker.store.root), locker.source]
            + [str(f) for f in files],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        with locker.db.reader() as session:
            committed = set(session.scalars(select(EvidenceItem.sha256)))
        assert committed >= committed_before_kill  # nothing committed is ever lost
        committed_before_kill = committed
        for sha in locker.store.iter_hashes():  # every stored original is complete and true
            assert locker.store.rehash(sha) == sha
        for sha in committed:
            assert locker.store.exists(sha)
    # what was interrupted is finished by ingesting again; leftovers are temp files only
    for path in files:
        ingest_file(locker.db, locker.store, path, case="locker", source=locker.source, actor="a")
    with locker.db.reader() as session:
        final = set(session.scalars(select(EvidenceItem.sha256)))
    assert final == {"sha256:" + hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert all(p.name.startswith(".part-") for p in locker.store.leftovers())
