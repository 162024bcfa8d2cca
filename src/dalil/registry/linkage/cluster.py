"""Clusters from scored pairs, without over-merging through chains of weak links.

Algorithm (documented in docs/linkage.md):

1. Candidate edges: pairs at match probability >= 0.5, plus pairs a reviewer judged "same".
2. *Cannot-link* constraints: pairs judged "different", and scored pairs whose own evidence is
   against a match (total Bayes factor < 1, i.e. the comparisons disagree more than they agree).
   In an incremental run, two existing clusters also cannot be joined.
3. Edges are taken strongest first (judged "same" first, then by match weight, ties by ids) and
   two groups are joined only if no cannot-link pair runs between them (greedy constrained
   single-link, as in Kruskal's algorithm). A chain A–B–C therefore stops at C when A and C were
   compared and disagree; a judgement "different" is never overridden.

Pure: pairs in, ``{record_id: cluster_id}`` out; cluster ids are the smallest member id (or the
existing cluster's id in an incremental run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["constrained_clusters"]


class _Groups:
    def __init__(self, ids: Iterable[str], fixed: Mapping[str, str]) -> None:
        self.parent: dict[str, str] = {}
        self.conflicts: dict[str, set[str]] = {}
        self.anchor: dict[str, str | None] = {}  # existing cluster a group is attached to
        for i in ids:
            self.parent[i] = i
            self.conflicts[i] = set()
            self.anchor[i] = None
        # Existing members of one cluster start as one group carrying its cluster id.
        by_cluster: dict[str, str] = {}
        for rec, cid in sorted(fixed.items()):
            self.parent.setdefault(rec, rec)
            self.conflicts.setdefault(rec, set())
            root = by_cluster.setdefault(cid, rec)
            self.parent[rec] = root
            self.anchor[root] = cid
            self.anchor.setdefault(rec, None)

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def try_union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        anchors = (self.anchor[ra], self.anchor[rb])
        if anchors[0] is not None and anchors[1] is not None:
            return False
        if any(self.find(c) == rb for c in self.conflicts[ra]) or any(
            self.find(c) == ra for c in self.conflicts[rb]
        ):
            return False
        if len(self.conflicts[ra]) < len(self.conflicts[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.conflicts[ra] |= self.conflicts.pop(rb)
        self.anchor[ra] = anchors[0] or anchors[1]
        return True


def constrained_clusters(
    ids: Iterable[str],
    edges: Iterable[tuple[str, str, float]],
    forced: Iterable[tuple[str, str]] = (),
    cannot: Iterable[tuple[str, str]] = (),
    existing: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Cluster ids for ``ids`` and the edges that were refused.

    ``edges``: (a, b, match_weight) at or above the decision threshold; ``forced``: judged same;
    ``cannot``: judged different or evidence against; ``existing``: fixed record → cluster id.
    """
    fixed = dict(existing or {})
    groups = _Groups(ids, fixed)
    for a, b in cannot:
        if a in groups.parent and b in groups.parent:
            groups.conflicts[groups.find(a)].add(b)
            groups.conflicts[groups.find(b)].add(a)
    refused: list[tuple[str, str]] = []
    ordered = [(a, b) for a, b in sorted(forced)] + [
        (a, b) for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1]))
    ]
    for a, b in ordered:
        if a not in groups.parent or b not in groups.parent:
            continue
        if not groups.try_union(a, b):
            refused.append((a, b))
    members: dict[str, list[str]] = {}
    for rec in groups.parent:
        members.setdefault(groups.find(rec), []).append(rec)
    out: dict[str, str] = {}
    for root, recs in members.items():
        label = groups.anchor[root] or min(recs)
        for rec in recs:
            out[rec] = label
    return out, refused
