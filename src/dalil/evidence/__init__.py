"""The evidence locker: byte-exact originals, a tamper-evident custody log, fingerprints, bundles.

Public surface (loaded on first use, so that importing a light module such as ``blobs`` does not
load PyAV, NumPy or FAISS):

- ``ingest_file``, ``expand`` — preserve files (``ingest.py``)
- ``fingerprint_item``, ``similar`` — PDQ/vPDQ and near-duplicates (``analysis.py``)
- ``verify_blobs`` — re-hash stored bytes (``checks.py``); the log: ``log.verify``
- ``export_case`` — BagIt court bundle with ``verify.py`` (``export.py``)
- ``record`` — append a custody event (``custody.py``)
- ``LocalBlobStore``, ``BlobStore`` — storage (``blobs.py``); ``load_key`` — signing key
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "ingest_file": "ingest",
    "expand": "ingest",
    "fingerprint_item": "analysis",
    "similar": "analysis",
    "verify_blobs": "checks",
    "export_case": "export",
    "record": "custody",
    "LocalBlobStore": "blobs",
    "BlobStore": "blobs",
    "load_key": "keys",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'dalil.evidence' has no attribute {name!r}")
    return getattr(import_module(f"dalil.evidence.{_WHERE[name]}"), name)
