"""Identifiers: short, typed, URL-safe.

``inc_3kq7m2x9p4d8t6va``: a prefix naming the kind, then 16 base32 characters (80 bits). Random
for records with no content identity; :func:`stable_id` derives one from content (the demo uses it
so that building twice gives the same IDs). Blobs get ``sha256:<hex>`` in the evidence package.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

PREFIXES = {
    "case": "case",
    "place": "plc",
    "incident": "inc",
    "person": "per",
    "organisation": "org",
    "source": "src",
    "relation": "rel",
    "claim": "clm",
    "person_name": "nam",
    "evidence_item": "evi",
    "acquisition": "acq",
    "derivative": "der",
    "estimate": "est",
    "user": "usr",
    "token": "tok",
    "data_key": "key",
    "positioning": "pos",
    "citation": "cit",
    "list_import": "lim",
    "list_record": "lrc",
    "link_run": "lnk",
    "judgement": "jdg",
    "registry_person": "vic",
}


def _encode(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").lower()[:16]


def new_id(kind: str) -> str:
    return f"{PREFIXES[kind]}_{_encode(secrets.token_bytes(10))}"


def stable_id(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode("utf-8")).digest()
    return f"{PREFIXES[kind]}_{_encode(digest[:10])}"


def kind_of(identifier: str) -> str | None:
    """The record kind an ID names by its prefix, or None."""
    prefix = identifier.split("_", 1)[0]
    return next((kind for kind, p in PREFIXES.items() if p == prefix), None)
