"""The same model on PySpark local mode gives the same clusters as on DuckDB (slow: minutes)."""

from __future__ import annotations

import pytest

from dalil.registry.linkage import link
from registry.linkage_data import records


@pytest.mark.slow
def test_spark_and_duckdb_give_the_same_clusters() -> None:
    frame, _ = records(n_people=60)
    duck = link(frame, engine="duckdb", seed=42)
    spark = link(frame, engine="spark", seed=42)
    by_duck = dict(zip(duck.clusters["record_id"], duck.clusters["cluster_id"], strict=True))
    by_spark = dict(zip(spark.clusters["record_id"], spark.clusters["cluster_id"], strict=True))
    assert by_spark == by_duck
    assert len(spark.pairs) == len(duck.pairs)
    assert spark.calibration["prior"]["value"] == pytest.approx(
        duck.calibration["prior"]["value"], rel=1e-3
    )
    assert by_duck["ar-abdullah"] == by_duck["full-abdullah"]
