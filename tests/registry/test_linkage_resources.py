"""What a link run may take: DuckDB's memory limit and spill folder (``Resources``), scoring in
chunks, record ids as integer codes inside the engine, and the settings that carry the limits
from the config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.config import load_settings
from dalil.errors import ConfigError, InvalidInput
from dalil.registry.linkage import Resources, link, link_new
from dalil.registry.linkage import engine as engine_module
from dalil.registry.linkage.blocking import RULES, count_pairs_with, plan_blocking
from dalil.registry.linkage.cluster import constrained_clusters
from dalil.registry.linkage.engine import (
    _code_pairs,
    _encode,
    _finish,
    _fixed_codes,
    score_chunks,
)
from dalil.registry.linking import resources_from
from registry.linkage_data import records

# Blocking keys the count test leaves empty (so only the given + family rule has pairs).
_OTHER_KEYS = sorted(
    {k for rule in RULES for k in (*rule[0], *rule[1])} - {"given_sk", "family_sk"}
)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return records(n_people=60, seed=3)[0]


def test_reading_only_the_pairs_that_may_be_returned_loses_none(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine reads only scored pairs whose Splink weight reaches the return floor's bound;
    # reading every scored pair instead must return the very same pairs.
    lean = link(data, seed=1)
    read = engine_module._read
    monkeypatch.setattr(engine_module, "_read", lambda linker, scored, _=None: read(linker, scored))
    everything = link(data, seed=1)
    assert lean.clusters.equals(everything.clusters)
    _same_result(lean.pairs, everything.pairs)
    assert lean.calibration["prior"]["value"] == everything.calibration["prior"]["value"]


def test_a_run_under_a_small_memory_limit_gives_the_same_clusters_and_leaves_no_spill(
    data: pd.DataFrame, tmp_path: Path
) -> None:
    roomy = link(data, seed=1)
    spill = tmp_path / "spill"
    spill.mkdir()
    tight = link(data, seed=1, resources=Resources(memory_limit="256MB", spill_dir=str(spill)))
    assert roomy.clusters.equals(tight.clusters)
    assert roomy.pairs[["record_a", "record_b", "status"]].equals(
        tight.pairs[["record_a", "record_b", "status"]]
    )
    assert list(spill.iterdir()) == []  # the run's own spill folder is removed after it


def _same_result(a: pd.DataFrame, b: pd.DataFrame) -> None:
    columns = ["record_a", "record_b", "status", "explanation"]
    pd.testing.assert_frame_equal(a[columns], b[columns])
    np.testing.assert_allclose(a["match_weight"], b["match_weight"], rtol=1e-9, atol=1e-9)


def test_scoring_in_chunks_gives_the_same_pairs_and_clusters(
    data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = link(data, seed=1)
    assert whole.calibration["prior"]["scored_in_chunks"] == 1
    monkeypatch.setattr(engine_module, "CHUNK_PAIRS", 40)
    ticks: list[tuple[str, float]] = []
    chunked = link(data, seed=1, progress=lambda stage, f: ticks.append((stage, f)))
    chunks = chunked.calibration["prior"]["scored_in_chunks"]
    assert chunks == score_chunks(chunked.calibration["blocking"]["pairs_at_most"]) > 3
    # Each chunk is reported as it starts, so a long run shows where it is.
    stages = [stage for stage, _ in ticks]
    assert [s for s in stages if "chunk" in s] == [
        f"predict, chunk {k} of {chunks}" for k in range(1, chunks + 1)
    ]
    fractions = [f for _, f in ticks]
    assert fractions == sorted(fractions)
    assert chunked.clusters.equals(whole.clusters)
    _same_result(chunked.pairs, whole.pairs)
    assert chunked.calibration["prior"]["value"] == pytest.approx(
        whole.calibration["prior"]["value"]
    )

    # An incremental run scores only the pairs that touch a new record, in chunks too.
    ids = data["record_id"].tolist()
    new, old = data[data["record_id"].isin(ids[::5])], data[~data["record_id"].isin(ids[::5])]
    base = link(old, seed=1)
    monkeypatch.setattr(engine_module, "CHUNK_PAIRS", 10**9)
    once = link_new(new, old, base.clusters, base.model)
    monkeypatch.setattr(engine_module, "CHUNK_PAIRS", 5)
    split = link_new(new, old, base.clusters, base.model)
    assert split.calibration["prior"]["scored_in_chunks"] > 3
    assert once.calibration["prior"]["scored_in_chunks"] == 1
    assert split.clusters.equals(once.clusters)
    _same_result(split.pairs, once.pairs)


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", "y"]), st.booleans()),
        min_size=2,
        max_size=40,
    )
)
def test_pairs_with_a_new_record_are_counted_exactly(
    rows: list[tuple[str | None, str, bool]],
) -> None:
    f = pd.DataFrame(
        {
            "unique_id": range(len(rows)),
            "given_sk": [g for g, _, _ in rows],
            "family_sk": [f for _, f, _ in rows],
            "is_new": [new for _, _, new in rows],
        }
    )
    plan = plan_blocking(f.reindex(columns=[*f.columns, *_OTHER_KEYS]), budget=10**6)
    brute = sum(
        1
        for keys in plan.rules
        for i in range(len(rows))
        for j in range(i + 1, len(rows))
        if (rows[i][2] or rows[j][2])
        and all(pd.notna(f.at[i, k]) and f.at[i, k] == f.at[j, k] for k in keys)
    )
    assert count_pairs_with(f, plan, f["is_new"]) == brute


def test_running_out_of_the_memory_limit_says_which_setting_to_raise(data: pd.DataFrame) -> None:
    with pytest.raises(ConfigError) as caught:
        link(data, resources=Resources(memory_limit="8MB"))
    assert "8MB" in caught.value.message
    assert caught.value.hint is not None
    assert "DALIL_LINK_MEMORY_LIMIT" in caught.value.hint


def test_a_memory_limit_duckdb_cannot_read_is_a_clear_error(data: pd.DataFrame) -> None:
    with pytest.raises(InvalidInput) as caught:
        link(data, resources=Resources(memory_limit="lots"))
    assert caught.value.field == "memory_limit"


def test_settings_carry_the_limits_and_refuse_a_malformed_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DALIL_HOME", str(tmp_path))
    monkeypatch.setenv("DALIL_LINK_MEMORY_LIMIT", "3GB")
    monkeypatch.setenv("DALIL_LINK_SPILL_DIR", str(tmp_path / "spill"))
    limits = resources_from(load_settings())
    assert limits == Resources(memory_limit="3GB", spill_dir=str(tmp_path / "spill"))
    monkeypatch.setenv("DALIL_LINK_MEMORY_LIMIT", "3 bananas")
    with pytest.raises(ConfigError, match="DALIL_LINK_MEMORY_LIMIT"):
        load_settings()


ids = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=40, unique=True)


@given(ids)
def test_codes_sort_as_their_ids_and_decode_back(names: list[str]) -> None:
    frame = pd.DataFrame({"unique_id": names})
    table = _encode(frame)
    codes = frame["unique_id"].to_numpy()
    assert list(table[codes]) == names  # each record's code names it
    assert list(table) == sorted(names)  # so a < b holds for codes exactly when for ids
    first, last = table.tolist().index(names[0]), table.tolist().index(names[-1])
    pairs = {(names[0], names[-1]), (names[-1], names[0]), ("not-a-record", names[0])}
    # Both orders give one ordered pair; a pair naming a record not in the run is left out.
    assert _code_pairs(table, pairs) == {(min(first, last), max(first, last))}


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), unique=True, max_size=30))
def test_returned_pairs_come_in_their_ids_order_with_each_row_whole(
    codes: list[tuple[int, int]],
) -> None:
    names = np.array([f"lrc_{i:02d}" for i in range(10)], dtype=object)
    n = len(codes)
    pairs = pd.DataFrame(
        {
            "a": np.array([a for a, _ in codes], dtype=np.int64),
            "b": np.array([b for _, b in codes], dtype=np.int64),
            "match_weight": np.arange(n, dtype=float),
            "match_probability": np.linspace(0, 1, n),
            "status": [f"s{i}" for i in range(n)],
            "explanation": [None if i % 2 else f"e{i}" for i in range(n)],
            "evidence": np.zeros(n),
            "sibling_adjustment": np.zeros(n),
            "explain": np.ones(n, dtype=bool),
            "judgement": [None] * n,
        }
    )
    out = _finish(pairs, names)
    assert list(out.columns) == [
        "record_a", "record_b", "match_weight", "match_probability", "status", "explanation",
        "judgement",
    ]  # fmt: skip
    assert list(zip(out["record_a"], out["record_b"], strict=True)) == sorted(
        (names[a], names[b]) for a, b in codes
    )
    for row in out.itertuples(index=False):
        i = int(row.match_weight)  # each row's own number: its values stayed together
        assert (row.record_a, row.record_b) == (names[codes[i][0]], names[codes[i][1]])
        assert row.status == f"s{i}"
        assert row.explanation == (None if i % 2 else f"e{i}")
    assert out.index.equals(pd.RangeIndex(n))


@given(
    st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15), st.floats(0, 40)), max_size=40),
    st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=10),
)
def test_clusters_of_integer_codes_equal_those_of_their_string_ids(
    edges: list[tuple[int, int, float]], cannot: list[tuple[int, int]]
) -> None:
    name = [f"r{i:02d}" for i in range(16)]
    by_int, refused_int = constrained_clusters(range(16), edges, (), cannot)
    by_str, refused_str = constrained_clusters(
        name,
        [(name[a], name[b], w) for a, b, w in edges],
        (),
        [(name[a], name[b]) for a, b in cannot],
    )
    assert {name[k]: name[v] for k, v in by_int.items()} == by_str
    assert [(name[a], name[b]) for a, b in refused_int] == refused_str
    # No cluster holds both ends of a cannot-link.
    for a, b in cannot:
        assert a == b or by_int[a] != by_int[b]
    assert np.all([by_int[k] <= k for k in by_int])  # a cluster's id is its smallest member


def test_existing_cluster_members_outside_the_run_are_left_out() -> None:
    names = np.array(["a", "c", "e"], dtype=object)
    clusters = np.array(["p1", "p2"], dtype=object)
    fixed = _fixed_codes(names, clusters, {"a": "p1", "b": "p1", "e": "p2", "z": "p2"}, 3)
    assert fixed == {0: 3, 2: 4}  # "b" and "z" are not records of this run


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=40))
def test_groups_of_links_are_the_connected_components(links: list[tuple[int, int]]) -> None:
    a = np.array([x for x, _ in links], dtype=np.int64)
    b = np.array([y for _, y in links], dtype=np.int64)
    records, labels = engine_module._components(a, b)
    expected, _ = constrained_clusters(sorted({*a.tolist(), *b.tolist()}), (), forced=links)
    assert records.tolist() == sorted(expected)
    label = dict(zip(records.tolist(), labels.tolist(), strict=True))
    for x in expected:
        for y in expected:
            assert (label[x] == label[y]) == (expected[x] == expected[y])
