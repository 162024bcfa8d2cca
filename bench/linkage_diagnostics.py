"""Diagnostics of the linkage engine against the synthetic truth: where the time goes, which
pairs the blocking rules earn, and how well the probabilities are calibrated.

Each subcommand prints the tables that docs/benchmarks.md (session 10) gives:

- ``rules``: each blocking rule's candidate pairs and true pairs, and of those the ones no other
  rule finds; then the true pairs never compared.
- ``scoring``: Splink's scoring statement under DuckDB's profiler (CPU by operator), then each
  comparison's levels alone over the same candidate pairs (wall time).
- ``levels``: every level's m and u, the trained model's against the truth's (true pairs, and
  random pairs of different people); then how often pairs of levels occur together beyond the
  product of their shares, among true pairs and among random pairs.
- ``calibration``: a full :func:`dalil.registry.linkage.link`, then the log2 of the true odds over
  the predicted odds by probability band and by how many comparisons a pair has, and each kind
  of pair's prior against the truth's.
- ``missed``: a full :func:`dalil.registry.linkage.link`, then every true pair whose records are
  in two clusters: never compared (no kept blocking rule holds) or by the probability returned,
  by the two records' lists, and each comparison's levels among them beside the true pairs that
  linked; each split person's best pair between its clusters; ``--examples`` pairs side by side
  (docs/benchmarks.md, session 12: how the event date's and the names' new levels were found).
- ``steps``: a full :func:`dalil.registry.linkage.link` with each of the engine's steps timed
  (wall), in the order they ran (docs/benchmarks.md, session 16).

Data: ``--n`` records (``generate_lists``, ``--seed``, sampled to N, as
``bench_registry_scale.py``) or ``--people`` (every record of that many people, as
``bench_registry_synthetic.py``). The model is trained as ``link`` trains it, through the
engine's own steps. Run: ``nice .venv/bin/python bench/linkage_diagnostics.py calibration --n
200000``. A million records take 1–4 minutes a subcommand and up to 8 GB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkage_eval as le

MEMORY_LIMIT = "1.5GB"  # the engine's default, as the scale benchmark runs it
BANDS = (0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001)


def records_of(args: argparse.Namespace) -> pd.DataFrame:
    """Synthetic records with their ``true_id``."""
    from dalil.registry.synthetic import generate_lists

    if args.people:
        records, _ = generate_lists(args.people, seed=args.seed)
        return records
    return le.sampled(args.n, args.seed)


@dataclass
class Trained:
    features: pd.DataFrame  # the engine's feature table, ``unique_id`` as codes, plus ``tid``
    plan: Any
    settings: dict[str, Any]


def trained(records: pd.DataFrame) -> Trained:
    """The feature table, blocking plan and trained model, by the engine's own steps."""
    from splink import Linker

    from dalil.registry.linkage import engine as E
    from dalil.registry.linkage.blocking import plan_blocking
    from dalil.registry.linkage.features import prepare
    from dalil.registry.linkage.model import settings as make_settings
    from dalil.registry.linkage.model import usable_comparisons

    features = prepare(records.drop(columns=["true_id"]))
    names = E._encode(features)
    n = len(names)
    plan = plan_blocking(features)
    known = {c: int(features[c].notna().sum()) for c in features.columns}
    comparisons = usable_comparisons(features)
    with E._db_api("duckdb", E.Resources(MEMORY_LIMIT)) as api:
        sdf = E._register(api, features)
        linker = Linker(sdf, make_settings(plan, 1 / n, comparisons), log_level=None)
        E._train(linker, known, n, 42, set(), None, {})
        settings = E._bounded(linker.misc.save_model_to_json(), {})
    truth = pd.Series(records["true_id"].to_numpy(), index=records["record_id"].astype(str))
    features["tid"] = truth.reindex(names).to_numpy()[features["unique_id"].to_numpy()]
    return Trained(features, plan, settings)


def duck(memory_limit: str = "8GB") -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET memory_limit = ?", [memory_limit])
    return con


def level_cases(settings: dict[str, Any], labels: bool = True) -> dict[str, str]:
    """Each comparison's levels as one SQL ``CASE`` giving the level's label ('null' for its
    null level), on the ``_l`` / ``_r`` columns Splink compares; with ``labels`` False, the
    level's position in the comparison, an integer (Splink's own ``CASE`` gives one too, so
    the timing compares like with like)."""
    cases = {}
    for comparison in settings["comparisons"]:
        whens = []
        for i, level in enumerate(comparison["comparison_levels"]):
            if not labels:
                value = str(i)
            elif level.get("is_null_level"):
                value = "'null'"
            else:
                value = "'" + level.get("label_for_charts", str(i)).replace("'", "") + "'"
            condition = level["sql_condition"]
            whens.append(
                f"ELSE {value}" if condition == "ELSE" else f"WHEN {condition} THEN {value}"
            )
        cases[comparison["output_column_name"]] = "CASE " + " ".join(whens) + " END"
    return cases


def side_by_side(
    con: Any, columns: list[str], source: str, target: str, kind: str = "TABLE"
) -> None:
    """``target`` (a table, or a view): each pair of ``source`` (columns ``a``, ``b``) with both
    records' columns, as Splink names them (``_l``, ``_r``)."""
    select = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    con.execute(
        f"CREATE {kind} {target} AS SELECT {select} FROM {source} p "
        "JOIN rec l ON l.unique_id = p.a JOIN rec r ON r.unique_id = p.b"
    )


def rules(args: argparse.Namespace) -> None:
    from dalil.registry.linkage.blocking import _rule_sql

    model = trained(records_of(args))
    con = duck()
    con.register("features", model.features)
    con.execute("CREATE TABLE rec AS SELECT * FROM features")
    joins = " UNION ALL ".join(
        f"SELECT {i} AS rule, l.unique_id AS a, r.unique_id AS b, l.tid = r.tid AS t "
        f"FROM rec l JOIN rec r ON ({_rule_sql(keys)}) AND l.unique_id < r.unique_id"
        for i, keys in enumerate(model.plan.rules)
    )
    con.execute(f"CREATE TABLE found AS {joins}")
    con.execute(
        "CREATE TABLE pairs AS SELECT a, b, bool_or(t) AS t, min(rule) AS rule, count(*) AS k "
        "FROM found GROUP BY a, b"
    )
    true_pairs = con.execute(
        "SELECT sum(c * (c - 1) / 2) FROM (SELECT count(*) AS c FROM rec GROUP BY tid)"
    ).fetchone()[0]
    rows, found = con.execute("SELECT count(*), sum(t::INT) FROM pairs").fetchone()
    print(f"{len(model.features):,} records; candidate pairs {rows:,}; true pairs found "
          f"{found:,} of {int(true_pairs):,}")  # fmt: skip
    print("| rule | pairs | true pairs | pairs no other rule finds | true pairs no other finds |")
    print("| --- | --- | --- | --- | --- |")
    for i, keys in enumerate(model.plan.rules):
        pairs, true = con.execute(
            f"SELECT count(*), coalesce(sum(t::INT), 0) FROM found WHERE rule = {i}"
        ).fetchone()
        only, only_true = con.execute(
            f"SELECT count(*), coalesce(sum(t::INT), 0) FROM pairs WHERE k = 1 AND rule = {i}"
        ).fetchone()
        print(f"| {' + '.join(keys)} | {pairs:,} | {true:,} | {only:,} | {only_true:,} |")


def scoring(args: argparse.Namespace) -> None:
    from splink import Linker

    from dalil.registry.linkage import engine as E
    from dalil.registry.linkage.blocking import blocked_pairs_sql

    model = trained(records_of(args))
    features = model.features.drop(columns=["tid"])
    with E._db_api("duckdb", E.Resources(MEMORY_LIMIT)) as api:
        con = api._con
        sdf = E._register(api, features)
        linker = Linker(sdf, model.settings, log_level=None)
        profile = Path(args.out) / "scoring-profile.json"
        import splink.internals.duckdb.database_api as duckdb_api

        run = duckdb_api.DuckDBAPI._execute_sql_against_backend

        def profiled(self: Any, sql: str) -> Any:
            if not sql.startswith("CREATE TABLE __splink__df_predict"):
                return run(self, sql)
            con.execute("SET enable_profiling = 'json'")
            con.execute("SET profiling_output = ?", [str(profile)])
            try:
                return run(self, sql)
            finally:
                con.execute("RESET enable_profiling")

        duckdb_api.DuckDBAPI._execute_sql_against_backend = profiled  # type: ignore[method-assign]
        try:
            started = time.perf_counter()
            pairs = E._pairs(model.plan, sdf.physical_name)
            scored = E._predict(linker, E._logit2(E.PAIR_FLOOR), pairs, 1)
            print(f"candidate pairs and scoring: {time.perf_counter() - started:.1f} s")
            E._drop(scored)
        finally:
            duckdb_api.DuckDBAPI._execute_sql_against_backend = run  # type: ignore[method-assign]
    report = json.loads(profile.read_text())
    query = report["query"]
    print(f"scoring statement: {query['total_time']:.1f} s wall, {query['cpu_time']:.1f} s CPU, "
          f"{report['system']['peak_temp_dir_size'] / 1e9:.1f} GB spilled")  # fmt: skip
    print("| operator | rows | CPU |\n| --- | --- | --- |")

    def walk(node: dict[str, Any]) -> None:
        if node.get("timing", 0) >= 0.1:
            rows = node.get("intermediate_rows", 0)
            print(f"| {node.get('type')} | {rows:,} | {node['timing']:.2f} s |")
        for child in node.get("children", []):
            walk(child)

    for node in report["operator"]:
        walk(node)
    con2 = duck()
    con2.register("features", features)
    con2.execute("CREATE TABLE rec AS SELECT * FROM features")
    con2.execute(
        "CREATE TABLE cand AS SELECT join_key_l AS a, join_key_r AS b FROM "
        f"({blocked_pairs_sql(model.plan, 'rec')})"
    )
    columns = [c for c in features.columns if c != "unique_id"]
    side_by_side(con2, columns, "cand", "w", kind="VIEW")
    print("| comparison, alone over the candidate pairs | wall |\n| --- | --- |")
    cases = level_cases(model.settings, labels=False)
    for name, case in [
        ("(the joins only)", "1"),
        *cases.items(),
        ("all", " + ".join(cases.values())),
    ]:
        started = time.perf_counter()
        con2.execute(f"SELECT sum({case}) FROM w").fetchall()
        print(f"| {name} | {time.perf_counter() - started:.1f} s |")


def levels(args: argparse.Namespace) -> None:
    model = trained(records_of(args))
    con = duck()
    con.register("features", model.features)
    con.execute("CREATE TABLE rec AS SELECT * FROM features")
    con.execute(
        "CREATE TABLE tp_ids AS SELECT l.unique_id AS a, r.unique_id AS b FROM rec l "
        "JOIN rec r ON l.tid = r.tid AND l.unique_id < r.unique_id"
    )
    con.execute(
        "CREATE TABLE rp_ids AS SELECT l.unique_id AS a, r.unique_id AS b FROM "
        f"(SELECT * FROM rec USING SAMPLE {args.random_left} ROWS (reservoir, 1)) l, "
        f"(SELECT * FROM rec USING SAMPLE {args.random_right} ROWS (reservoir, 2)) r "
        "WHERE l.tid <> r.tid"
    )
    columns = [c for c in model.features.columns if c != "unique_id"]
    side_by_side(con, columns, "tp_ids", "tp")
    side_by_side(con, columns, "rp_ids", "rp")
    cases = level_cases(model.settings)
    expr = ", ".join(f'{case} AS "{name}"' for name, case in cases.items())
    true = con.execute(f"SELECT {expr} FROM tp").df()
    rand = con.execute(f"SELECT {expr} FROM rp").df()
    print(f"{len(true):,} true pairs, {len(rand):,} random pairs of different people")
    print("| comparison: level | m (model) | m (truth) | u (model) | u (truth) |")
    print("| --- | --- | --- | --- | --- |")
    for comparison in model.settings["comparisons"]:
        name = comparison["output_column_name"]
        t = true[name][true[name] != "null"].value_counts(normalize=True)
        r = rand[name][rand[name] != "null"].value_counts(normalize=True)
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = level.get("label_for_charts", "")
            m, u = level.get("m_probability") or 0.0, level.get("u_probability") or 0.0
            print(f"| {name}: {label} | {m:.4f} | {t.get(label, 0.0):.4f} | {u:.2e} "
                  f"| {r.get(label, 0.0):.2e} |")  # fmt: skip
    print("\nPairs of levels: log2 of their share over the product of their shares")
    print("| pattern | share of true pairs | M | U | M - U |\n| --- | --- | --- | --- | --- |")
    for a, b in (("given", "father"), ("given", "family"), ("father", "family"),
                 ("family", "place"), ("given", "birth_date")):  # fmt: skip
        if a not in true or b not in true:
            continue
        t = true[[a, b]][(true[[a, b]] != "null").all(axis=1)]
        r = rand[[a, b]][(rand[[a, b]] != "null").all(axis=1)]
        joint_t, joint_r = t.value_counts(normalize=True), r.value_counts(normalize=True)
        for (la, lb), share in joint_t.head(args.top).items():
            prod_t = (t[a] == la).mean() * (t[b] == lb).mean()
            prod_r = (r[a] == la).mean() * (r[b] == lb).mean()
            shared = joint_r.get((la, lb), 0.0)
            if not shared or not prod_r:
                continue
            dep_m, dep_u = np.log2(share / prod_t), np.log2(shared / prod_r)
            print(f"| {a} {la}, {b} {lb} | {share:.3f} | {dep_m:+.2f} | {dep_u:+.2f} "
                  f"| {dep_m - dep_u:+.2f} |")  # fmt: skip


def gap(frame: pd.DataFrame) -> pd.Series:
    t, p = frame["true"].mean(), frame["match_probability"].mean()
    bits = np.log2((t / (1 - t)) / (p / (1 - p))) if 0 < t < 1 else float("nan")
    return pd.Series({"pairs": len(frame), "true": t, "predicted": p, "gap (bits)": bits})


def calibration(args: argparse.Namespace) -> None:
    from dalil.registry.linkage import link
    from dalil.registry.linkage.engine import Resources

    records = records_of(args)
    truth = le.truth_of(records)
    started = time.perf_counter()
    result = link(records.drop(columns=["true_id"]), resources=Resources(MEMORY_LIMIT))
    seconds = time.perf_counter() - started
    clusters = dict(
        zip(result.clusters["record_id"], result.clusters["cluster_id"].astype(str), strict=True)
    )
    print(le.HEADER)
    print(le.score(le.Run("ours", clusters, seconds, {}), truth).row())
    pairs = result.pairs
    pairs["true"] = pairs["record_a"].map(truth).to_numpy() == pairs["record_b"].map(truth)
    bands = pd.cut(pairs["match_probability"], list(BANDS))
    print("\nBy probability band, every returned pair:")
    print(pairs.groupby(bands, observed=True).apply(gap, include_groups=False).round(3))
    explained = pairs.dropna(subset=["explanation"])
    explained = explained[explained["match_probability"].between(0.05, 0.95)]
    fields = [
        sum(
            1
            for key, value in json.loads(text).items()
            if key not in ("prior", "sibling check") and value["level"] != "null"
        )
        for text in explained["explanation"]
    ]
    print("\nBy comparisons with a value on both sides (pairs at 0.05-0.95 with explanations):")
    by_fields = explained.assign(fields=fields).groupby("fields")
    print(by_fields.apply(gap, include_groups=False).round(3))
    print("\nEach kind of pair's prior against the truth's:")
    prior = result.calibration["prior"]
    per_list = records.groupby(["true_id", "source_id"]).size()
    within = float((per_list * (per_list - 1) / 2).sum())
    per_person = records.groupby("true_id").size()
    across = float((per_person * (per_person - 1) / 2).sum()) - within
    for kind, matches in (("within_list", within), ("across_lists", across)):
        estimate = prior["kinds"][kind]
        true_prior = matches / estimate["pairs"]
        print(f"  {kind}: {estimate['prior']:.3e} (truth {true_prior:.3e}, "
              f"ratio {true_prior / estimate['prior']:.2f})")  # fmt: skip


MISSED_BANDS = (-2.0, 0.0, 0.2, 0.5, 1.0001)
MISSED_LABELS = ("not returned", "< 0.2", "0.2-0.5", ">= 0.5")


def missed(args: argparse.Namespace) -> None:
    """The true pairs the clusters keep apart: how many were never compared, how strong the
    rest were, and each comparison's levels among them beside the true pairs that linked; then
    each split person's best pair between its clusters, and ``--examples`` missed pairs."""
    from dalil.registry.linkage import link
    from dalil.registry.linkage.blocking import _rule_sql, plan_blocking
    from dalil.registry.linkage.engine import Resources, _encode
    from dalil.registry.linkage.features import prepare

    records = records_of(args)
    plain = records.drop(columns=["true_id"])
    result = link(plain, resources=Resources(MEMORY_LIMIT))
    features = prepare(plain)
    names = _encode(features)  # unique_id becomes the engine's record code
    plan = plan_blocking(features)
    code = pd.Series(np.arange(len(names)), index=names)
    by_record = records.set_index("record_id")
    cluster = result.clusters.set_index("record_id")["cluster_id"].astype(str)
    lists = {s: chr(ord("A") + i) for i, s in enumerate(dict.fromkeys(records["source_id"]))}
    features["tid"] = by_record["true_id"].reindex(names).to_numpy()[features["unique_id"]]
    features["cl"] = cluster.reindex(names).to_numpy()[features["unique_id"]]
    features["lst"] = (
        by_record["source_id"].map(lists).reindex(names).to_numpy()[features["unique_id"]]
    )
    a = code.reindex(result.pairs["record_a"]).to_numpy()
    b = code.reindex(result.pairs["record_b"]).to_numpy()
    scored = pd.DataFrame(
        {"a": np.minimum(a, b), "b": np.maximum(a, b), "p": result.pairs["match_probability"]}
    )
    con = duck()
    con.register("features", features)
    con.register("scored", scored)
    con.execute("CREATE TABLE rec AS SELECT * FROM features")
    # A pair meets a rule when the rule's join would put it in the candidate pairs.
    blocked = " OR ".join(f"coalesce({_rule_sql(keys)}, false)" for keys in plan.rules) or "false"
    cases = level_cases(result.model["splink"])
    levels = ", ".join(f'{case} AS "{name}"' for name, case in cases.items())
    columns = [c for c in features.columns if c not in ("unique_id",)]
    sides = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    con.execute(
        "CREATE TABLE tp AS SELECT l.unique_id AS a, r.unique_id AS b, l.tid, "
        "l.cl = r.cl AS linked, l.lst || r.lst AS lists, "
        f"{blocked} AS blocked, {sides} FROM rec l JOIN rec r "
        "ON l.tid = r.tid AND l.unique_id < r.unique_id"
    )
    pairs = con.execute(
        "SELECT t.a, t.b, t.tid, t.linked, t.lists, t.blocked, coalesce(s.p, -1) AS p, "
        f"{levels} FROM tp t LEFT JOIN scored s ON s.a = t.a AND s.b = t.b"
    ).df()
    pairs["band"] = pd.cut(pairs["p"], list(MISSED_BANDS), right=False, labels=MISSED_LABELS)
    kept_apart = pairs[~pairs["linked"]]
    print(f"{len(pairs):,} true pairs, {len(kept_apart):,} in two clusters; "
          f"{pairs['blocked'].mean():.1%} of all true pairs meet a kept blocking rule")  # fmt: skip
    print("\nTrue pairs in two clusters, by the best probability returned and blocking:")
    print(pd.crosstab(kept_apart["band"], kept_apart["blocked"], margins=True).to_string())
    print("\nThe same by the two records' lists:")
    print(pd.crosstab(kept_apart["band"], kept_apart["lists"]).to_string())
    for name in cases:
        linked = pairs.loc[pairs["linked"], name].value_counts(normalize=True).rename("linked")
        apart = pd.crosstab(kept_apart[name], kept_apart["band"], normalize="columns")
        print(f"\n{name}: share of each level (columns: linked true pairs, then those kept apart)")
        print(pd.concat([linked, apart], axis=1).fillna(0).round(3).to_string())
    best = kept_apart.groupby("tid")["p"].max()
    bands = pd.cut(best, list(MISSED_BANDS), right=False, labels=MISSED_LABELS)
    print(f"\n{len(best):,} people split; the best pair between their clusters:")
    print(bands.value_counts().reindex(list(MISSED_LABELS)).to_string())
    if args.examples and len(kept_apart):
        shown = ["full_name", "given", "father", "family", "mother", "birth_date", "age",
                 "status_date", "place", "governorate"]  # fmt: skip
        rows = by_record.reindex(names)[shown]
        sample = kept_apart.sample(min(args.examples, len(kept_apart)), random_state=1)
        for _, pair in sample.iterrows():
            agree = {c: pair[c] for c in cases if pair[c] != "null"}
            p = "not returned" if pair["p"] < 0 else f"{pair['p']:.3f}"
            print(f"\n{pair['lists']} p={p} blocked={pair['blocked']} {agree}")
            print(rows.iloc[[pair["a"], pair["b"]]].to_string(header=False))


# The engine's steps ``steps`` times: every call of each, in the order they end.
STEPS = (
    "prepare", "_encode", "_kinds", "plan_blocking", "household_counts", "_register", "_train",
    "_predict", "_estimate_priors", "_score", "_weigh_rivals", "_pairs_frame",
    "_cannot_links_in_groups", "_comparison_weights", "_explanations", "_cluster", "_finish",
)  # fmt: skip


def steps(args: argparse.Namespace) -> None:
    """Link the records once with each engine step's wall time printed as it ends (a step
    called twice, as ``_predict`` is, prints twice; ``_score`` holds the first ``_predict``)."""
    import functools

    from dalil.registry.linkage import engine as E
    from dalil.registry.linkage.engine import Resources

    records = records_of(args).drop(columns=["true_id"])
    originals = {name: getattr(E, name) for name in STEPS}

    def timed(name: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def run(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                print(f"| {name} | {time.perf_counter() - started:.1f} s |", flush=True)

        return run

    print("| step | wall |\n| --- | --- |")
    for name, fn in originals.items():
        setattr(E, name, timed(name, fn))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        E.link(records, resources=Resources(MEMORY_LIMIT))
        print(f"| (the whole link) | {time.perf_counter() - started:.1f} s, "
              f"CPU {time.process_time() - cpu:.1f} s |")  # fmt: skip
    finally:
        for name, fn in originals.items():
            setattr(E, name, fn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", choices=("rules", "scoring", "levels", "calibration", "missed", "steps")
    )
    parser.add_argument("--n", type=int, default=200_000, help="records (sampled)")
    parser.add_argument("--people", type=int, default=0, help="or every record of this many")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", default=tempfile.gettempdir(), help="where the profiler writes (scoring)"
    )
    parser.add_argument("--random-left", type=int, default=6000, help="levels: random pairs are")
    parser.add_argument("--random-right", type=int, default=2000, help="left x right records")
    parser.add_argument("--top", type=int, default=3, help="levels: patterns per pair shown")
    parser.add_argument("--examples", type=int, default=0, help="missed: pairs shown")
    args = parser.parse_args()
    commands = {
        "rules": rules,
        "scoring": scoring,
        "levels": levels,
        "calibration": calibration,
        "missed": missed,
        "steps": steps,
    }
    commands[args.what](args)


if __name__ == "__main__":
    main()
