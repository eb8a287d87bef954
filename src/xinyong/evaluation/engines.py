"""The Ibis backends the pipeline runs on: DuckDB embedded (the default) and Spark.

Each call returns a new connection the run disconnects when it is done. Spark is optional
(``pip install 'xinyong[spark]'``, a Java runtime): ``XINYONG_EVALUATION_SPARK_MASTER`` names
the cluster (``local[*]`` by default: local mode on this machine),
``XINYONG_EVALUATION_SPARK_PARTITIONS`` the shuffle partitions (Spark's 200 by default; 1 for a
test's few rows).
"""

from __future__ import annotations

import os
from typing import Any

from xinyong.kernel.errors import ConfigurationError


def duckdb() -> Any:
    import ibis

    return ibis.duckdb.connect()


def pyspark(master: str | None = None) -> Any:
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigurationError(
            "pyspark is not installed",
            "未安装 pyspark：pip install 'xinyong[spark]'，并需要 Java 运行环境",
        ) from None
    session = (
        SparkSession.builder.master(
            master or os.environ.get("XINYONG_EVALUATION_SPARK_MASTER", "local[*]")
        )
        .appName("xinyong-evaluation")
        .config("spark.ui.enabled", "false")
        .config(
            "spark.sql.shuffle.partitions",
            os.environ.get("XINYONG_EVALUATION_SPARK_PARTITIONS", "200"),
        )
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    return ibis.pyspark.connect(session)


BACKENDS = {"duckdb": duckdb, "spark": pyspark}
