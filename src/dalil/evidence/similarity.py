"""Near-duplicate search over PDQ hashes: images by Hamming distance, videos by matching frames.

A :class:`HashIndex` holds 256-bit hashes in a FAISS ``IndexBinaryFlat`` (an exact scan, about
3 ms a query at a million hashes) and maps each row to an item id, a timestamp (``None`` for an
image) and the hash algorithm (a whole picture or a centred crop, see ``fingerprint.CROPS``).
A video is similar to another when many of its sampled frames match frames of the other at one
consistent time offset, so a clip cut from a longer video is found from either end. Results are
candidates for a person to review, never a decision. The index is pure memory: the caller persists
it with :meth:`HashIndex.to_bytes` or rebuilds it from stored hashes; this module touches no files.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import faiss
import numpy as np

from dalil.errors import InvalidInput
from dalil.evidence.fingerprint import (
    ALGORITHM,
    HASH_HEX_LENGTH,
    MATCH_DISTANCE,
    MIN_QUALITY,
    FrameHash,
    ImageHash,
)

_MAGIC = b"DALIL-PDQ-INDEX\n"
_VERSION = 1
_META = np.dtype([("item", "<i4"), ("time", "<f8"), ("algorithm", "<i2")])  # NaN time: image
Row = tuple[str, float | None, str, str]  # item id, timestamp, algorithm, hash hex


@dataclass(frozen=True)
class Match:
    item_id: str
    timestamp: float | None
    algorithm: str
    distance: int


@dataclass(frozen=True)
class Candidate:
    """An item that looks like the query, with the evidence for it."""

    item_id: str
    score: float  # the larger of the two shares: 1.0 when one is wholly inside the other
    query_share: float  # share of the query's sampled frames matched (1.0 for an image query)
    candidate_share: float  # share of the candidate's sampled frames matched
    frames_matched: int  # query frames (timestamps) with a match at the chosen offset
    query_frames: int
    candidate_frames: int
    median_distance: float  # over the matched query frames, best distance of each
    offset: float | None  # candidate time minus query time (seconds), when both are videos
    pairs: tuple[tuple[float | None, float | None, int], ...]  # (query t, candidate t, distance)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hash_bytes(hash_hex: str) -> bytes:
    """The 32 bytes of a PDQ hash given as 64 hex digits; :class:`InvalidInput` otherwise."""
    try:
        if len(hash_hex) == HASH_HEX_LENGTH:
            return bytes.fromhex(hash_hex)
    except ValueError:
        pass
    raise InvalidInput("hash", "a PDQ hash is 64 hexadecimal digits")


class HashIndex:
    """PDQ hashes of many items, searchable by Hamming distance."""

    def __init__(self) -> None:
        self._index = faiss.IndexBinaryFlat(256)
        self._items: list[str] = []
        self._item_no: dict[str, int] = {}
        self._algorithms: list[str] = []
        self._algorithm_no: dict[str, int] = {}
        self._meta = np.empty(0, _META)
        self._pending: list[np.ndarray] = []
        self._counts: dict[int, int] = {}  # item number -> rows
        self._frames: dict[int, int] = {}  # item number -> distinct timestamps (cache)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._counts.get(self._item_no.get(item_id, -1), 0) > 0

    def items(self) -> list[str]:
        """Ids of the items that have rows in the index."""
        return [self._items[number] for number in sorted(self._counts)]

    def add(
        self,
        item_id: str,
        hash_hex: str,
        timestamp: float | None = None,
        algorithm: str = ALGORITHM,
    ) -> None:
        self.add_rows([(item_id, timestamp, algorithm, hash_hex)])

    def add_hashes(
        self, item_id: str, hashes: Sequence[FrameHash | ImageHash], min_quality: int = MIN_QUALITY
    ) -> int:
        """Add an item's hashes (video frames or an image, with crops) of quality >= the minimum."""
        return self.add_rows(
            (item_id, getattr(h, "timestamp", None), h.algorithm, h.hash)
            for h in hashes
            if h.quality >= min_quality
        )

    add_image = add_video = add_hashes

    def add_rows(self, rows: Iterable[Row]) -> int:
        """Add ``(item id, timestamp or None, algorithm, hash hex)`` rows, e.g. from storage."""
        meta, codes = [], []
        for item_id, timestamp, algorithm, hash_hex in rows:
            codes.append(hash_bytes(hash_hex))
            time = np.nan if timestamp is None else float(timestamp)
            meta.append((self._item_number(item_id), time, self._algorithm_number(algorithm)))
        if codes:
            array = np.frombuffer(b"".join(codes), np.uint8).reshape(-1, 32)
            self._append(array, np.array(meta, _META))
        return len(codes)

    def add_codes(self, item_ids: Sequence[str], codes: np.ndarray) -> None:
        """Add raw 32-byte image hashes in bulk, one row per item id given (for benchmarks)."""
        if codes.dtype != np.uint8 or codes.shape != (len(item_ids), 32):
            raise InvalidInput("codes", "expected a uint8 array of shape (len(item_ids), 32)")
        meta = np.empty(len(item_ids), _META)
        meta["item"] = [self._item_number(i) for i in item_ids]
        meta["time"], meta["algorithm"] = np.nan, self._algorithm_number(ALGORITHM)
        self._append(np.ascontiguousarray(codes), meta)

    def remove(self, item_id: str) -> int:
        """Drop every row of an item (e.g. after disposition); returns how many went."""
        if item_id not in self:
            return 0
        number, meta = self._item_no[item_id], self._rows()
        gone = meta["item"] == number
        self._index.remove_ids(np.flatnonzero(gone).astype(np.int64))
        self._meta = meta[~gone]
        self._frames.pop(number, None)
        return self._counts.pop(number)

    def rows(self, item_id: str) -> list[Row]:
        """The stored rows of one item, in the order they were added."""
        if item_id not in self:
            return []
        meta = self._rows()
        found = np.flatnonzero(meta["item"] == self._item_no[item_id])
        codes = np.empty((found.size, 32), np.uint8)
        for i, row in enumerate(found.tolist()):
            self._index.reconstruct_n(row, 1, codes[i : i + 1])
        return [
            (item_id, _time(meta["time"][r]), self._algorithms[meta["algorithm"][r]], code.hex())
            for r, code in zip(found.tolist(), map(bytes, codes), strict=True)
        ]

    def search(self, hash_hex: str, max_distance: int = MATCH_DISTANCE) -> list[Match]:
        """Every stored row within ``max_distance`` of a hash, nearest first."""
        query = np.frombuffer(hash_bytes(hash_hex), np.uint8).reshape(1, 32)
        _, rows, distances = self._range(query, max_distance)
        meta = self._rows()[rows]
        found = [
            Match(self._items[m["item"]], _time(m["time"]), self._algorithms[m["algorithm"]], d)
            for m, d in zip(meta, distances.tolist(), strict=True)
        ]
        return sorted(found, key=lambda m: (m.distance, m.item_id, m.timestamp or 0.0))

    def search_image(
        self, hash_hex: str, max_distance: int = MATCH_DISTANCE
    ) -> list[tuple[str, int]]:
        """Items with a stored hash within ``max_distance``: ``(item id, best distance)``."""
        best: dict[str, int] = {}
        for match in self.search(hash_hex, max_distance):
            best.setdefault(match.item_id, match.distance)
        return sorted(best.items(), key=lambda pair: (pair[1], pair[0]))

    def similar(
        self, item_id: str, max_distance: int = MATCH_DISTANCE, **options: Any
    ) -> list[Candidate]:
        """Items that look like a stored item, best first (see :meth:`similar_to`)."""
        query = [(t, h) for _, t, _, h in self.rows(item_id)]
        return self.similar_to(query, max_distance, exclude=item_id, **options)

    def similar_to(
        self,
        hashes: Sequence[tuple[float | None, str]],
        max_distance: int = MATCH_DISTANCE,
        *,
        exclude: str | None = None,
        min_frames: int = 2,
        tolerance: float = 1.5,
        limit: int | None = 50,
    ) -> list[Candidate]:
        """Rank stored items against a query given as ``(timestamp or None, hash hex)`` pairs.

        A video candidate counts the query frames that match it at one time offset (the most
        common one, give or take ``tolerance`` seconds); it needs ``min_frames`` of them (fewer if
        either video is shorter). Pass every crop hash of each frame: the index keeps them too.
        """
        if not hashes:
            return []
        codes = np.frombuffer(b"".join(hash_bytes(h) for _, h in hashes), np.uint8)
        query_rows, rows, distances = self._range(codes.reshape(-1, 32), max_distance)
        query_times = np.array([np.nan if t is None else t for t, _ in hashes], np.float64)
        meta = self._rows()[rows]
        keep = meta["item"] != self._item_no.get(exclude or "", -1)
        items, order = meta["item"][keep], np.argsort(meta["item"][keep], kind="stable")
        pairs = (query_times[query_rows[keep]], meta["time"][keep], distances[keep])
        total = len(np.unique(_keyed(query_times)))
        found = []
        for group in np.split(order, np.flatnonzero(np.diff(items[order])) + 1):
            if group.size == 0:
                continue
            number = int(items[group[0]])
            frames = (total, self._frame_count(number))
            mine = (pairs[0][group], pairs[1][group], pairs[2][group])
            candidate = _score(self._items[number], mine, frames, min_frames, tolerance)
            if candidate is not None:
                found.append(candidate)
        found.sort(key=lambda c: (-c.score, -c.frames_matched, c.median_distance, c.item_id))
        return found[:limit] if limit is not None else found

    def to_bytes(self) -> bytes:
        """The whole index as bytes: magic, a JSON header, the row table, then the raw codes."""
        codes = np.empty((len(self), 32), np.uint8)
        if len(self):
            self._index.reconstruct_n(0, len(self), codes)
        names = {"items": self._items, "algorithms": self._algorithms}
        header = json.dumps({"version": _VERSION, "rows": len(self), **names}).encode()
        parts = [_MAGIC, struct.pack("<I", len(header)), header, self._rows().tobytes()]
        return b"".join([*parts, codes.tobytes()])

    @classmethod
    def from_bytes(cls, data: bytes) -> HashIndex:
        """Read what :meth:`to_bytes` wrote; :class:`InvalidInput` if it is not that."""
        bad = InvalidInput("index", "not a Dalil PDQ index", hint="rebuild it from stored hashes")
        start = len(_MAGIC) + 4
        if len(data) < start or not data.startswith(_MAGIC):
            raise bad
        end = start + struct.unpack_from("<I", data, len(_MAGIC))[0]
        try:
            header = json.loads(data[start:end])
            rows, items, algorithms = header["rows"], header["items"], header["algorithms"]
            names = [str(n) for n in [*items, *algorithms] if isinstance(n, str)]
            valid = header["version"] == _VERSION and len(names) == len(items) + len(algorithms)
        except (ValueError, KeyError, TypeError) as exc:
            raise bad from exc
        if (
            not valid
            or not isinstance(rows, int)
            or len(data) != end + rows * (_META.itemsize + 32)
        ):
            raise bad
        meta = np.frombuffer(data, _META, rows, end).copy()
        if rows and not (
            0 <= meta["item"].min() <= meta["item"].max() < len(items)
            and 0 <= meta["algorithm"].min() <= meta["algorithm"].max() < len(algorithms)
        ):
            raise bad
        index = cls()
        for item in items:
            index._item_number(item)
        for algorithm in algorithms:
            index._algorithm_number(algorithm)
        codes = np.frombuffer(data, np.uint8, rows * 32, end + meta.nbytes).reshape(rows, 32)
        index._append(codes.copy(), meta)
        return index

    def _append(self, codes: np.ndarray, meta: np.ndarray) -> None:
        self._index.add(codes)
        self._pending.append(meta)
        numbers, counts = np.unique(meta["item"], return_counts=True)
        for number, count in zip(numbers.tolist(), counts.tolist(), strict=True):
            self._counts[number] = self._counts.get(number, 0) + count
            self._frames.pop(number, None)

    def _rows(self) -> np.ndarray:
        if self._pending:
            self._meta = np.concatenate([self._meta, *self._pending])
            self._pending = []
        return self._meta

    def _item_number(self, item_id: str) -> int:
        if item_id not in self._item_no:
            self._item_no[item_id] = len(self._items)
            self._items.append(item_id)
        return self._item_no[item_id]

    def _algorithm_number(self, algorithm: str) -> int:
        if algorithm not in self._algorithm_no:
            self._algorithm_no[algorithm] = len(self._algorithms)
            self._algorithms.append(algorithm)
        return self._algorithm_no[algorithm]

    def _range(
        self, queries: np.ndarray, max_distance: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query row, index row, distance) of every pair within ``max_distance``."""
        if len(self) == 0 or max_distance < 0:
            empty = np.empty(0, np.int64)
            return empty, empty, empty
        lims, distances, rows = self._index.range_search(queries, max_distance + 1)
        query_rows = np.repeat(np.arange(len(queries)), np.diff(lims.astype(np.int64)))
        return query_rows, rows.astype(np.int64), distances.astype(np.int64)

    def _frame_count(self, number: int) -> int:
        if number not in self._frames:
            meta = self._rows()
            times = meta["time"][meta["item"] == number]
            self._frames[number] = len(np.unique(_keyed(times)))
        return self._frames[number]


def _time(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _keyed(times: np.ndarray) -> np.ndarray:
    """Timestamps with an image's missing time as one distinct value, for counting frames."""
    return np.where(np.isnan(times), -1.0, times)


def _mode(offsets: np.ndarray, tolerance: float) -> float:
    """The time offset shared by most matching pairs, give or take ``tolerance``."""
    values = np.sort(offsets)
    low = np.searchsorted(values, values - tolerance, "left")
    high = np.searchsorted(values, values + tolerance, "right")
    best = int(np.argmax(high - low))
    return float(np.median(values[low[best] : high[best]]))


def _score(
    item_id: str,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    frames: tuple[int, int],
    min_frames: int,
    tolerance: float,
) -> Candidate | None:
    """Judge one candidate from its matching pairs (query time, candidate time, distance)."""
    query_t, cand_t, distance = pairs
    offset = None
    if not (np.isnan(query_t).any() or np.isnan(cand_t).any()):
        offset = _mode(cand_t - query_t, tolerance)
        near = np.abs(cand_t - query_t - offset) <= tolerance
        query_t, cand_t, distance = query_t[near], cand_t[near], distance[near]
    query_key = _keyed(query_t)
    order = np.lexsort((distance, query_key))  # per query frame, its nearest match first
    first = order[np.r_[True, np.diff(query_key[order]) != 0]] if order.size else order
    matched = int(first.size)
    if matched == 0 or matched < min(min_frames, *frames):
        return None
    query_share = matched / max(frames[0], 1)
    cand_share = min(1.0, len(np.unique(_keyed(cand_t))) / max(frames[1], 1))
    best = [(_time(query_t[i]), _time(cand_t[i]), int(distance[i])) for i in first.tolist()]
    return Candidate(
        item_id=item_id,
        score=round(max(query_share, cand_share), 4),
        query_share=round(query_share, 4),
        candidate_share=round(cand_share, 4),
        frames_matched=matched,
        query_frames=frames[0],
        candidate_frames=frames[1],
        median_distance=float(np.median(distance[first])),
        offset=None if offset is None else round(offset, 3),
        pairs=tuple(best[:200]),
    )
