"""The review band decided by what a case's reviewers teach (linkage.reviewed, engine)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dalil.registry.linkage import LinkResult, link, link_new
from dalil.registry.linkage.reviewed import MIN_EACH
from dalil.registry.review import waiting
from dalil.registry.synthetic import generate_lists

BAND = (0.2, 0.8)


@pytest.fixture(scope="module")
def lists() -> tuple[pd.DataFrame, dict[str, int]]:
    records, _ = generate_lists(4000, seed=5)
    truth = dict(zip(records["record_id"], records["true_id"].astype(int), strict=True))
    return records.drop(columns=["true_id"]), truth


@pytest.fixture(scope="module")
def first(lists: tuple[pd.DataFrame, dict[str, int]]) -> LinkResult:
    return link(lists[0], seed=42)


def decisions(result: LinkResult, truth: dict[str, int], n: int) -> pd.DataFrame:
    """A perfect reviewer's answers to the first ``n`` pairs of the run's queue."""
    person = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))
    scored = result.pairs[result.pairs["match_probability"].notna()].assign(run_id="run")
    queue = waiting(scored.itertuples(index=False), {}, person)  # type: ignore[arg-type]
    rows = [
        (i.record_a, i.record_b, "same" if truth[i.record_a] == truth[i.record_b] else "different")
        for i in queue[:n]
    ]
    return pd.DataFrame(rows, columns=["record_a", "record_b", "decision"])


def ends(pairs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return pairs["record_a"], pairs["record_b"]


def test_without_enough_decisions_the_model_decides(first: LinkResult) -> None:
    assert first.pairs["reviewed_probability"].isna().all()
    assert first.calibration["reviewed"] == {
        "applied": False,
        "why": f"fewer than {MIN_EACH} decisions of each kind",
    }


def test_decisions_teach_the_band_and_the_clustering_follows(
    lists: tuple[pd.DataFrame, dict[str, int]], first: LinkResult
) -> None:
    records, truth = lists
    labels = decisions(first, truth, 300)
    assert (labels["decision"] == "same").sum() >= MIN_EACH
    assert (labels["decision"] == "different").sum() >= MIN_EACH
    result = link(records, labels=labels, seed=42)
    reviewed = result.calibration["reviewed"]
    assert reviewed["applied"] is True
    assert reviewed["learned_from"]["same"] + reviewed["learned_from"]["different"] == 300

    pairs = result.pairs
    p, q = pairs["match_probability"], pairs["reviewed_probability"]
    decided = pairs["judgement"].notna()
    band = p.between(*BAND, inclusive="left") & ~decided
    assert q[band].notna().all()
    assert q[~band].isna().all()  # outside the band, and decided pairs: the model or the answer
    assert q[band].between(0, 1).all()
    assert reviewed["band_pairs"] == int(band.sum())

    # What the reviewers taught holds beyond the pairs they decided: among the undecided pairs
    # of the band, those the learned chance takes (>= 0.5) are more often one person than those
    # the model would have taken, and the learned chance decides more of them rightly.
    same = np.array([truth[a] == truth[b] for a, b in zip(*ends(pairs), strict=True)])
    taken_model = band & (p >= 0.5)
    taken_reviewed = band & (q >= 0.5)
    assert same[taken_reviewed].mean() > same[taken_model].mean()
    right_model = (same == taken_model)[band].mean()
    right_reviewed = (same == taken_reviewed)[band].mean()
    assert right_reviewed > right_model

    # The clustering decides the band by the reviewed chance: a band pair the model would have
    # left (p < 0.5) but the reviewers' chance takes is in one person unless a cannot-link or a
    # stronger link kept it apart; at least some are.
    cluster = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))
    together = np.array([cluster[a] == cluster[b] for a, b in zip(*ends(pairs), strict=True)])
    promoted = band & (p < 0.5) & (q >= 0.5)
    assert promoted.sum() > 0
    assert together[promoted].mean() > together[band & (p < 0.5) & (q < 0.5)].mean()


def test_an_incremental_run_applies_nothing(
    lists: tuple[pd.DataFrame, dict[str, int]], first: LinkResult
) -> None:
    records, truth = lists
    labels = decisions(first, truth, 300)
    new = records.tail(200)
    existing = records.head(len(records) - 200)
    clusters = first.clusters[first.clusters["record_id"].isin(existing["record_id"])]
    out = link_new(new, existing, clusters, first.model, labels=labels)
    assert out.calibration["reviewed"]["applied"] is False
    assert out.pairs["reviewed_probability"].isna().all()
