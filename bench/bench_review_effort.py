"""Benchmark: how many review decisions bring the synthetic lists to the accuracy goal.

The linkage goal (issue 4: pairwise F1 >= 0.95, unique persons within 2 %) is measured on the
model alone. A documentation group does not stop there: the uncertain pairs go to the review
queue, a reviewer decides them, and the next link run obeys the decisions and trains on them
(docs/linkage.md, "Judgements" and "What review decisions teach"). This benchmark plays that
reviewer. Each round it

1. builds the queue from the latest run as the registry does: the model's ``review`` pairs and
   the ``linked`` pairs whose records the clustering kept in two persons, ordered by
   :func:`dalil.registry.review.priority` (the likeliest to change the registry, as learned
   from the decisions so far by :mod:`dalil.registry.linkage.reviewed`; before enough of them, or
   with ``--order model``, probability closest to 0.5 first; then the most records a decision
   touches), leaving out pairs already judged;
2. decides the first ``--batch`` of them from the synthetic truth ("same" or "different", as a
   reviewer who is never wrong and never unsure);
3. links every record again with all the decisions so far as labels.

It prints, per round, the decisions so far, how many of them went against the registry they were
made on (the ones that changed something), the queue left, pairwise precision, recall and F1,
B-cubed F1 and the persons' count against the truth. The reviewer here is perfect: real
reviewers are slower and sometimes wrong, so read the figures as a lower bound on the effort.

Run: ``nice .venv/bin/python bench/bench_review_effort.py [--people 20000 | --n 200000]
[--batch 1000] [--rounds 4]``. Record the printed figures, with date and machine, in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkage_eval as le


def queue(
    pairs: pd.DataFrame,
    clusters: pd.DataFrame,
    decisions: dict[tuple[str, str], str],
    lists: dict[str, str] | None,
) -> list[tuple[str, str]]:
    """The review queue of a run, as the registry builds it (:func:`review.waiting`: the
    ``review`` pairs and the ``linked`` pairs the clustering kept in two persons, best first;
    with ``lists``, in the order learned from the decisions so far), as record pairs."""
    from dalil.registry.review import waiting

    scored = pairs[pairs["match_probability"].notna()].assign(run_id="run")
    person = dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True))
    items = waiting(scored.itertuples(index=False), decisions, person, lists)  # type: ignore[arg-type]
    return [(item.record_a, item.record_b) for item in items]


def main() -> None:
    from dalil.registry.linkage import link

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=0, help="every record of this many people")
    parser.add_argument("--n", type=int, default=0, help="or this many sampled records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000, help="decisions per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--order",
        choices=("learned", "model"),
        default="learned",
        help="the registry's order (learned from the decisions) or the model's alone "
        "(closest to 0.5 first), to compare",
    )
    args = parser.parse_args()
    if args.n:
        sampled = le.sampled(args.n, args.seed)
        truth = le.truth_of(sampled)
        records = sampled.drop(columns=["true_id"])
        what = f"{len(records):,} sampled records (seed {args.seed})"
    else:
        people = args.people or 20_000
        records, truth = le.synthetic(people, args.seed)  # type: ignore[misc]
        what = f"{people:,} people, {len(records):,} records (seed {args.seed})"
    lists = (
        dict(zip(records["record_id"], records["source_id"], strict=True))
        if args.order == "learned"
        else None
    )
    print(
        f"# review effort: {what}; order {args.order}; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {le.machine()}"
    )
    print("| decisions | same / different | changed the registry | queue left | precision | recall "
          "| F1 | B-cubed F1 | persons vs truth | split / merged | link time |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    decisions: dict[tuple[str, str], str] = {}
    changed = 0  # decisions against the registry they were made on: "same" on two persons, ...
    for round_ in range(args.rounds + 1):
        labels = pd.DataFrame(
            [(a, b, d) for (a, b), d in decisions.items()],
            columns=["record_a", "record_b", "decision"],
        )
        start = time.perf_counter()
        result = link(records, seed=42, labels=labels if len(labels) else None)
        seconds = time.perf_counter() - start
        clusters = dict(
            zip(
                result.clusters["record_id"], result.clusters["cluster_id"].astype(str), strict=True
            )
        )
        s = le.score(le.Run("ours", clusters, seconds, {}), truth)
        queued = queue(result.pairs, result.clusters, decisions, lists)
        same = sum(d == "same" for d in decisions.values())
        errors = le.count_errors(clusters, truth)
        print(
            f"| {len(decisions):,} | {same:,} / {len(decisions) - same:,} | {changed:,} | "
            f"{len(queued):,} | "
            f"{s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.bcubed_f1:.3f} | "
            f"{s.unique:,} vs {s.true_unique:,} ({s.unique_error:+.1%}) | "
            f"+{errors.extra_from_splits:,} / −{errors.lost_to_merges:,} | {seconds:.0f} s |",
            flush=True,
        )
        if round_ == args.rounds:
            break
        for a, b in queued[: args.batch]:
            decisions[(a, b)] = "same" if truth[a] == truth[b] else "different"
            changed += (truth[a] == truth[b]) != (clusters.get(a, a) == clusters.get(b, b))


if __name__ == "__main__":
    main()
