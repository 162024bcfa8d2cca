"""Accuracy of a clustering against ground truth: pairwise and B-cubed precision, recall and F1.

Both take ``{record_id: cluster_id}`` mappings (predicted and true). Records missing from the
prediction count as singletons; records missing from the truth are ignored (they cannot be scored).
Pure functions, no pandas needed; used by the tests and the benchmarks in ``bench/``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _aligned(
    pred: Mapping[Hashable, Hashable], true: Mapping[Hashable, Hashable]
) -> tuple[list[Hashable], list[tuple[str, Hashable]]]:
    """True and predicted ids over the truth's records (absent predictions become singletons)."""
    t: list[Hashable] = []
    p: list[tuple[str, Hashable]] = []
    for rec, tc in true.items():
        t.append(tc)
        p.append(("c", pred[rec]) if rec in pred else ("s", rec))
    return t, p


def _pairs(counts: Counter[Hashable]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def pairwise_scores(
    pred_clusters: Mapping[Hashable, Hashable], true_clusters: Mapping[Hashable, Hashable]
) -> Scores:
    """Precision/recall/F1 over all record pairs placed in one cluster (transitive closure)."""
    t, p = _aligned(pred_clusters, true_clusters)
    both = _pairs(Counter(zip(t, p, strict=True)))
    pred_pairs = _pairs(Counter(p))
    true_pairs = _pairs(Counter(t))
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def pairwise_link_scores(
    pred_pairs: set[tuple[Hashable, Hashable]], true_clusters: Mapping[Hashable, Hashable]
) -> Scores:
    """Precision/recall/F1 of a set of predicted pairs (not closed transitively)."""
    true_counts = Counter(true_clusters.values())
    true_pairs = _pairs(true_counts)
    norm = {(a, b) if str(a) < str(b) else (b, a) for a, b in pred_pairs if a != b}
    hits = sum(
        1
        for a, b in norm
        if a in true_clusters and b in true_clusters and true_clusters[a] == true_clusters[b]
    )
    precision = hits / len(norm) if norm else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed_scores(
    pred_clusters: Mapping[Hashable, Hashable], true_clusters: Mapping[Hashable, Hashable]
) -> Scores:
    """B-cubed: per record, the share of its predicted cluster that is truly its own (precision)
    and the share of its true cluster found in its predicted one (recall), averaged over records."""
    t, p = _aligned(pred_clusters, true_clusters)
    if not t:
        return Scores(1.0, 1.0, 1.0)
    both = Counter(zip(t, p, strict=True))
    tsize = Counter(t)
    psize = Counter(p)
    precision = recall = 0.0
    for (tc, pc), n in both.items():
        # each of the n records in this intersection contributes n/|pred| and n/|true|
        precision += n * n / psize[pc]
        recall += n * n / tsize[tc]
    precision /= len(t)
    recall /= len(t)
    return Scores(precision, recall, _f1(precision, recall))


def cluster_count(clusters: Mapping[Hashable, Hashable]) -> int:
    """Number of distinct entities in a mapping."""
    return len(set(clusters.values()))


def pairs_to_clusters(
    records: list[Hashable], pairs: list[tuple[Hashable, Hashable]]
) -> dict[Hashable, Hashable]:
    """Connected components of ``pairs`` over ``records`` (used for truth given as links)."""
    parent: dict[Hashable, Hashable] = {r: r for r in records}

    def find(x: Hashable) -> Hashable:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    for r in parent:
        groups[find(r)].append(r)
    out: dict[Hashable, Hashable] = {}
    for members in groups.values():
        label = min(members, key=str)
        for m in members:
            out[m] = label
    return out


__all__ = [
    "Scores",
    "bcubed_scores",
    "cluster_count",
    "pairs_to_clusters",
    "pairwise_link_scores",
    "pairwise_scores",
]
