"""Checks a Dalil court bundle with nothing but Python's standard library.

This file is the main part of the ``verify.py`` shipped in every bundle (``export.py`` prepends
the Merkle and checkpoint functions from ``merkle.py`` and ``checkpoint.py``). It must never
import ``dalil`` outside the marked block, nor anything beyond the standard library (the Ed25519
check uses ``cryptography`` when it is installed, and says so when it is not).

    python verify.py [BUNDLE.zip | BAG_FOLDER] [--key '<name>+<hex>+<base64>']

It checks: every payload file against the BagIt manifests (nothing missing, nothing added); every
original against the SHA-256 its metadata and custody events name; every custody event's
inclusion proof against the signed checkpoint; and the checkpoint's signature. Exit 0 only when
everything holds; otherwise it lists each problem and exits 1.
"""

from __future__ import annotations

import hashlib as _hashlib
import json as _json
import re as _re
import sys as _sys
import tempfile as _tempfile
import zipfile as _zipfile
from pathlib import Path as _Path

# --- package imports (removed in verify.py) ---
from dalil.evidence.checkpoint import (
    HAVE_ED25519,
    CheckpointError,
    open_checkpoint,
    parse_verifier_key,
)
from dalil.evidence.merkle import leaf_hash, verify_inclusion

# --- end of package imports ---

_CHUNK = 1 << 20


def _sha256_file(path: _Path) -> str:
    digest = _hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_LINE = _re.compile(r"([0-9a-f]{64}) +([^ \r\n][^\r\n]*)")


def _manifest(bag: _Path, name: str, problems: list[str]) -> dict[str, str]:
    """Entries of a SHA-256 manifest, read strictly: any byte out of form is a problem."""
    raw = (bag / name).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{name}: not UTF-8 (altered)")
        return {}
    lines = text.split("\n")
    if lines[-1] != "" or any(not _LINE.fullmatch(line) for line in lines[:-1]):
        problems.append(f"{name}: a line is not '<sha256>  <path>' (altered)")
        return {}
    entries: dict[str, str] = {}
    for line in lines[:-1]:
        match = _LINE.fullmatch(line)
        assert match is not None
        digest, rel = match.group(1), match.group(2)
        rel = rel.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        if rel in entries:
            problems.append(f"{name}: {rel} is listed twice (altered)")
        entries[rel] = digest
    return entries


def check_bag(bag: _Path, problems: list[str]) -> None:
    """BagIt (RFC 8493): payload and tag files match their SHA-256 manifests, none extra."""
    if not (bag / "bagit.txt").is_file() or not (bag / "manifest-sha256.txt").is_file():
        problems.append("not a BagIt bag: bagit.txt or manifest-sha256.txt is missing")
        return
    listed = _manifest(bag, "manifest-sha256.txt", problems)
    present = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    for rel in sorted(present - set(listed)):
        problems.append(f"{rel}: in the bag but not in its manifest (added)")
    for rel, digest in sorted(listed.items()):
        path = bag / rel
        if not path.is_file():
            problems.append(f"{rel}: listed in the manifest but missing (removed)")
        elif _sha256_file(path) != digest:
            problems.append(f"{rel}: its bytes differ from the manifest (altered)")
    if (bag / "tagmanifest-sha256.txt").is_file():
        for rel, digest in sorted(_manifest(bag, "tagmanifest-sha256.txt", problems).items()):
            path = bag / rel
            if not path.is_file() or _sha256_file(path) != digest:
                problems.append(f"{rel}: tag file missing or altered")
    else:
        problems.append("tagmanifest-sha256.txt is missing")


def check_custody(
    bag: _Path, pinned_key: str | None, problems: list[str], notes: list[str]
) -> None:
    """The checkpoint's signature, and every custody event's inclusion in it."""
    data = bag / "data"
    try:
        key_text = pinned_key or (data / "custody" / "verifier-key.txt").read_text("utf-8").strip()
        verifier = parse_verifier_key(key_text)
        signed = open_checkpoint(
            (data / "custody" / "checkpoint.txt").read_text("utf-8"),
            [verifier],
            verifier.name,
            check_signature=HAVE_ED25519,
        )
    except (OSError, CheckpointError, ValueError) as exc:
        problems.append(f"custody checkpoint: {exc}")
        return
    if not HAVE_ED25519:
        notes.append(
            "the checkpoint's Ed25519 signature was NOT checked: install the 'cryptography' "
            "package and run again"
        )
    if pinned_key is None:
        notes.append(
            f"log key {key_text}: compare it with the key the custodian published; "
            "pass --key to pin it"
        )
    items = _items(data, problems)
    seen: dict[str, set[str]] = {}
    lines = (data / "custody" / "events.jsonl").read_text("utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        try:
            entry = _json.loads(line)
            leaf = entry["data"].encode("utf-8")
            proof = entry["proof"]
            index, size = int(proof["leaf_index"]), int(proof["tree_size"])
            path = [bytes.fromhex(h) for h in proof["path"]]
            event = _json.loads(leaf)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"custody event line {number}: malformed ({exc})")
            continue
        if size != signed.size or not verify_inclusion(
            leaf_hash(leaf), index, size, path, signed.root_hash
        ):
            problems.append(f"custody event {index}: not in the signed log (altered or forged)")
            continue
        seen.setdefault(str(event.get("item")), set()).add(str(event.get("action")))
    for item_id, sha in items.items():
        if "ingest" not in seen.get(sha, set()):
            problems.append(f"item {item_id}: no proven ingest event for {sha}")


def _items(data: _Path, problems: list[str]) -> dict[str, str]:
    """item id → sha256, after checking each original's bytes against its metadata."""
    items: dict[str, str] = {}
    for meta in sorted((data / "metadata").glob("*.json")):
        record = _json.loads(meta.read_text("utf-8"))
        item_id, sha = record["id"], record["sha256"]
        items[item_id] = sha
        original = data.parent / record["original"]  # a path from the bag's root
        if not original.is_file():
            problems.append(f"item {item_id}: original {record['original']} is missing")
        elif "sha256:" + _sha256_file(original) != sha:
            problems.append(f"item {item_id}: original's bytes do not match {sha} (altered)")
    return items


def verify(target: _Path, pinned_key: str | None = None) -> tuple[list[str], list[str]]:
    """(problems, notes) for a bag folder or a bundle .zip."""
    problems: list[str] = []
    notes: list[str] = []
    if target.is_file():
        with _tempfile.TemporaryDirectory() as tmp:
            try:
                with _zipfile.ZipFile(target) as archive:
                    for member in archive.namelist():
                        if member.startswith("/") or ".." in _Path(member).parts:
                            return [f"{member}: unsafe path in the archive"], notes
                    archive.extractall(tmp)
            except (_zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                return [f"{target.name}: the archive is damaged ({exc})"], notes
            roots = [p for p in _Path(tmp).iterdir() if p.is_dir()]
            _check_all(roots[0] if len(roots) == 1 else _Path(tmp), pinned_key, problems, notes)
        return problems, notes
    _check_all(target, pinned_key, problems, notes)
    return problems, notes


def _check_all(bag: _Path, pinned_key: str | None, problems: list[str], notes: list[str]) -> None:
    check_bag(bag, problems)
    try:
        check_custody(bag, pinned_key, problems, notes)
    except Exception as exc:  # a damaged record is a finding, never a crash
        problems.append(f"custody records unreadable ({type(exc).__name__}: {exc})")


def main(argv: list[str]) -> int:
    args = list(argv)
    key = None
    if "--key" in args:
        at = args.index("--key")
        key = args[at + 1] if at + 1 < len(args) else None
        del args[at : at + 2]
    target = _Path(args[0]) if args else _Path(__file__).resolve().parent
    problems, notes = verify(target, key)
    for note in notes:
        print(f"note: {note}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {target}")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"OK: {target} is intact; every custody event is proven by the signed checkpoint")
    return 0


if __name__ == "__main__":
    _sys.exit(main(_sys.argv[1:]))
