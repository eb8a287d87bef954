"""Evaluation benchmark (信用评价, issue 12): the Ibis pipeline beside a hand-written DuckDB query.

    .venv/bin/python bench/evaluate.py [--subjects 1000000] [--entries 20000000] [--seed 12]
                                       [--day 2026-12-01] [--spark-subjects 200000]
                                       [--no-spark] [--memory 8GB] [--work DIR] [--keep]

1. Generates the ledger's columnar snapshot directly (not through the import): one Parquet part
   and its manifest in exactly the layout and schema ``evaluation/snapshot.py`` exports
   (``evaluation/paths.snapshot_folder``), seeded and vectorised in DuckDB (``range()`` and
   ``hash()``). Every subject has at least one entry; the mix is a province's: licences
   (XZXK), penalties (XZCF, 轻微/一般/严重, decisions spread over 5 years), inspections (XZJC
   with result categories), commitments (XYCN with fulfilment states), list entries (JYYC,
   SXBZXR, YZSX), honours and rewards, voluntary records, items no indicator reads (XZQZ), and
   7 % later entries on earlier records: corrections (a commitment's state, a penalty's
   severity), repairs, masks and revocations. 85 % organisations, 10 % 个体工商户, 5 % natural
   persons (not in the model's subject kinds). ``--keep`` keeps it under ``--work`` and a later
   run with the same sizes and seed reuses it.
2. Times, in the same run and on the same DuckDB settings (2 threads, ``--memory``):
   (a) the Ibis pipeline (``evaluation/pipeline.py``) on DuckDB as a run uses it: current
       records cached, then scores and grades, then the explanation rows (value, contribution,
       entry ids per subject and indicator); also scores and grades alone;
   (b) a hand-written DuckDB SQL query computing the same scores and grades from the same
       Parquet, and asserts both agree for every subject (the count compared is printed);
   (c) the same pipeline on Spark local mode (``local[2]``) on the first ``--spark-subjects``
       subjects (a sample snapshot written beside the full one; every subject when there are
       fewer), its scores compared with DuckDB's for those subjects;
   (d) an incremental run: a second part with changes to 1 % of the subjects, only those
       re-scored (writing results back to the database is not timed here: it is
       ``service._score``'s loop, 5,000 rows per commit).
   Prints subjects/s, entries/s and the ratio raw time / Ibis time (target >= 0.8).

The subject keys look like USCCs but carry no valid check digit: the pipeline never reads them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from xinyong.catalog.evaluation import EvaluationModel, load_evaluation_catalogue
from xinyong.evaluation import pipeline
from xinyong.evaluation import snapshot as snap
from xinyong.evaluation.paths import snapshot_folder

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

# The SQL here is built from integers, the model's literals and the bench's own file paths
# (no outside input): S608 is silenced where it fires.
MODEL = "GGXYPJ"
HAND_WRITTEN_FOR = "2026.1"  # the model version the hand-written query transcribes
FOLLOW_SHARE = 0.07  # later entries (correct, repair, mask, revoke) on earlier records

# Item mix of the first entries of records: (item, cumulative share).
ITEMS = (
    ("XZXK", 0.28),
    ("XZCF", 0.48),
    ("XZJC", 0.63),
    ("XYCN", 0.73),
    ("JYYC", 0.78),
    ("SXBZXR", 0.80),
    ("YZSX", 0.81),
    ("CXRY", 0.83),
    ("XZJL", 0.85),
    ("ZYZC", 0.88),
    ("ZYGS", 0.90),
    ("XZQZ", 1.00),
)
DEPARTMENTS = ("scjg", "sw", "hbj", "zjj", "yjj", "rsj")


def _u(expr: str, salt: int, seed: int) -> str:
    """A seeded uniform in [0, 1) of ``expr`` (hash-based: the same on every thread)."""
    return f"((hash({expr}, {seed}, {salt}) % 1000003) / 1000003.0)"


def _pick(u: str, choices: tuple[tuple[str, float], ...]) -> str:
    arms = " ".join(f"WHEN {u} < {share} THEN '{code}'" for code, share in choices[:-1])
    return f"CASE {arms} ELSE '{choices[-1][0]}' END"


def generate(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    subjects: int,
    entries: int,
    seed: int,
    day: int,
    facets: dict[str, str],
) -> None:
    """Write the snapshot: one part of ``entries`` rows and its manifest."""
    n_follow = int(entries * FOLLOW_SHARE)
    n_base = entries - n_follow
    if n_base < subjects:
        raise SystemExit("--entries must exceed --subjects / 0.93 (every subject has a record)")
    parts = folder / snap.PARTS
    parts.mkdir(parents=True, exist_ok=True)

    def u(salt: int, expr: str = "i") -> str:
        return _u(expr, salt, seed)

    # The first `subjects` records give every subject one; the rest go to subjects skewed
    # towards the low indices (a few subjects hold many records, most hold a handful).
    subj = f"CASE WHEN i < {subjects} THEN i ELSE least({subjects} - 1, floor({subjects} * pow({u(0)}, 1.6))::BIGINT) END"
    item = _pick(u(1), ITEMS)
    dept = f"CASE WHEN item_code IN ('SXBZXR') THEN 'fy' ELSE list_extract({list(DEPARTMENTS)}, 1 + floor({u(2, 'id')} * {len(DEPARTMENTS)})::INT) END"
    severity = _pick(u(5), (("轻微", 0.35), ("一般", 0.85), ("严重", 1.0)))
    commitment = _pick(u(6), (("1", 0.15), ("2", 0.80), ("3", 0.95), ("4", 1.0)))
    inspection = _pick(
        u(6),
        (
            ("01", 0.70),
            ("02", 0.75),
            ("03", 0.80),
            ("04", 0.86),
            ("05", 0.92),
            ("06", 0.96),
            ("07", 1.0),
        ),
    )
    years = f"(1 + floor({u(7)} * 5)::INT)"
    base_sql = f"""
        WITH r AS (SELECT range AS i FROM range({n_base})),
        s AS (SELECT i, {subj} AS subj, {item} AS item_code FROM r),
        b AS (
            SELECT i + 1 AS id, subj, item_code,
                CASE WHEN subj % 100 < 85 THEN 'organisation'
                     WHEN subj % 100 < 95 THEN 'individual_business' ELSE 'person' END
                    AS subject_kind,
                CASE WHEN {u(4)} < 0.01 THEN NULL
                     ELSE {day} - floor({u(3)} * 1826)::INT END AS decision_day,
                {u(8)} AS u_public,
                {u(9)} AS u_until,
                {years} AS years,
                {severity} AS sev,
                {commitment} AS cn,
                {inspection} AS jc
            FROM s
        )
        SELECT
            id::BIGINT AS id,
            CASE WHEN subject_kind = 'person' THEN 'P' || lpad(subj::VARCHAR, 17, '0')
                 ELSE '91610000' || lpad(subj::VARCHAR, 10, '0') END AS subject_key,
            subject_kind,
            item_code,
            'R' || lpad(id::VARCHAR, 11, '0') AS record_key,
            {dept} AS department_code,
            'assert' AS action,
            decision_day::INTEGER AS decision_day,
            CASE WHEN item_code = 'XZCF' THEN sev END AS severity,
            (subject_kind <> 'person' AND u_public > 0.03) AS public,
            (CASE
                WHEN decision_day IS NULL THEN NULL
                WHEN item_code = 'XZXK' THEN
                    CASE WHEN u_until < 0.3 THEN NULL ELSE decision_day + 365 * years END
                WHEN item_code = 'XZCF' THEN
                    decision_day + CASE WHEN sev = '严重' THEN 1095 ELSE 365 END
                WHEN item_code IN ('JYYC', 'SXBZXR', 'YZSX') THEN
                    CASE WHEN u_until < 0.2 THEN NULL ELSE decision_day + 1095 END
            END)::INTEGER AS public_until_day,
            CASE WHEN item_code = 'XYCN' THEN cn WHEN item_code = 'XZJC' THEN jc END AS facet
        FROM b
    """  # noqa: S608
    con.execute(f"CREATE OR REPLACE TEMP TABLE base AS {base_sql}")
    # Later entries on earlier records: a commitment's state settled, a penalty's severity
    # corrected, repairs, masks, revocations; several on one record leave the latest current.
    follow_sql = f"""
        WITH f AS (
            SELECT range AS j, 1 + floor({u(10, "range")} * {n_base})::BIGINT AS of_id,
                   {u(11, "range")} AS u_action, {u(12, "range")} AS u_value
            FROM range({n_follow})
        )
        SELECT
            ({n_base} + 1 + f.j)::BIGINT AS id, b.subject_key, b.subject_kind, b.item_code,
            b.record_key, b.department_code,
            CASE WHEN u_action < 0.45 THEN 'correct' WHEN u_action < 0.75 THEN 'repair'
                 WHEN u_action < 0.90 THEN 'revoke' ELSE 'mask' END AS action,
            b.decision_day,
            CASE WHEN b.item_code = 'XZCF' AND u_action < 0.45
                 THEN {_pick("u_value", (("轻微", 0.4), ("一般", 0.9), ("严重", 1.0)))}
                 ELSE b.severity END AS severity,
            b.public, b.public_until_day,
            CASE WHEN b.item_code = 'XYCN' AND u_action < 0.45
                 THEN {_pick("u_value", (("2", 0.7), ("3", 0.9), ("4", 1.0)))}
                 ELSE b.facet END AS facet
        FROM f JOIN base b ON b.id = f.of_id
    """  # noqa: S608
    name = f"part-{1:012d}-{entries:012d}.parquet"
    tmp = parts / (name + ".tmp")
    # Written by pyarrow with the export's schema and compression, batch by batch.
    query = con.sql(f"SELECT * FROM base UNION ALL ({follow_sql}) ORDER BY id")  # noqa: S608
    with pq.ParquetWriter(tmp, snap.SCHEMA, compression="zstd") as writer:
        for batch in query.to_arrow_reader(1_000_000):
            writer.write_table(pa.Table.from_batches([batch]).cast(snap.SCHEMA))
    con.execute("DROP TABLE base")
    tmp.replace(parts / name)
    written = pq.read_schema(parts / name)
    if not written.remove_metadata().equals(snap.SCHEMA):
        raise SystemExit(f"generated schema differs from the snapshot's:\n{written}")
    manifest = snap.Manifest(
        entries,
        ({"file": f"{snap.PARTS}/{name}", "from": 1, "to": entries, "rows": entries},),
        facets,
    )
    (folder / snap.MANIFEST).write_text(
        json.dumps(manifest.as_json(), ensure_ascii=False, indent=1), "utf-8"
    )


def hand_written(paths: list[str], day: int) -> str:
    """GGXYPJ 2026.1 (catalog/data/national/evaluation/models.yaml) transcribed by hand: the
    current record per (item, department, record key), a revoked one dropped; the subjects of
    the model's kinds; each indicator's filtered, decayed or plain count, capped and weighted;
    base 700 + Σ, clamped to [0, 1000], rounded; the grade."""
    files = ", ".join(f"'{p}'" for p in paths)
    age = f"({day} - decision_day)"
    near = (  # 365 days 1.0, 1,095 days 0.5, older 0; no date or a future one 0
        f"CASE WHEN decision_day IS NULL OR {age} < 0 THEN 0.0 WHEN {age} < 365 THEN 1.0 "
        f"WHEN {age} < 1095 THEN 0.5 ELSE 0.0 END"
    )
    two_years = f"CASE WHEN decision_day IS NULL OR {age} < 0 THEN 0.0 WHEN {age} < 730 THEN 1.0 ELSE 0.0 END"
    live = f"(public AND (public_until_day IS NULL OR public_until_day > {day}))"
    kept = "action NOT IN ('repair', 'mask')"
    return f"""
    WITH snapshot AS (SELECT * FROM read_parquet([{files}])),
    -- A subject whose every record is revoked has no row in v: each value is coalesced to 0
    -- before least() (DuckDB's least, like PostgreSQL's, ignores NULLs: least(NULL, 2) = 2).
    cur AS (  -- the kind is filtered after: a correction may move a record to another subject
        SELECT * FROM snapshot
        QUALIFY row_number() OVER (
            PARTITION BY item_code, department_code, record_key ORDER BY id DESC) = 1
    ),
    v AS (
        SELECT subject_key,
            sum(CASE WHEN item_code = 'XZCF' AND severity = '严重' AND {kept} THEN {near} ELSE 0 END) AS penalty_serious,
            sum(CASE WHEN item_code = 'XZCF' AND severity IN ('一般', '轻微') AND {kept} THEN {near} ELSE 0 END) AS penalty_general,
            count(*) FILTER (WHERE item_code = 'YZSX' AND {live} AND {kept}) AS list_serious,
            count(*) FILTER (WHERE item_code = 'SXBZXR' AND {live} AND {kept}) AS judicial,
            count(*) FILTER (WHERE item_code = 'JYYC' AND {live} AND {kept}) AS abnormal,
            count(*) FILTER (WHERE item_code = 'XYCN' AND facet IN ('3', '4') AND {kept}) AS breach,
            count(*) FILTER (WHERE item_code = 'XYCN' AND facet = '2') AS kept_promise,
            sum(CASE WHEN item_code = 'XZJC' AND facet IN ('04', '05', '06', '07') AND {kept} THEN {two_years} ELSE 0 END) AS insp_negative,
            sum(CASE WHEN item_code = 'XZJC' AND facet = '01' THEN {two_years} ELSE 0 END) AS insp_clean,
            count(*) FILTER (WHERE item_code = 'XZXK' AND {live}) AS licences,
            count(*) FILTER (WHERE item_code IN ('CXRY', 'XZJL')) AS honours,
            count(*) FILTER (WHERE item_code IN ('ZYZC', 'ZYGS')) AS voluntary,
            count(*) FILTER (WHERE item_code IN ('XZCF', 'YZSX', 'SXBZXR', 'JYYC', 'XYCN', 'XZJC') AND action = 'repair') AS repaired
        FROM cur
        WHERE action <> 'revoke' AND subject_kind IN ('organisation', 'individual_business')
        GROUP BY subject_key
    ),
    people AS (
        SELECT DISTINCT subject_key FROM snapshot
        WHERE subject_kind IN ('organisation', 'individual_business')
    ),
    s AS (
        SELECT p.subject_key, round(greatest(0, least(1000, 700 + (
              - 300 * least(coalesce(penalty_serious, 0), 2) / 2
              - 150 * least(coalesce(penalty_general, 0), 3) / 3
              - 250 * least(coalesce(list_serious, 0), 1)
              - 200 * least(coalesce(judicial, 0), 1)
              - 80 * least(coalesce(abnormal, 0), 1)
              - 120 * least(coalesce(breach, 0), 2) / 2
              + 40 * least(coalesce(kept_promise, 0), 4) / 4
              - 80 * least(coalesce(insp_negative, 0), 2) / 2
              + 30 * least(coalesce(insp_clean, 0), 3) / 3
              + 30 * least(coalesce(licences, 0), 5) / 5
              + 60 * least(coalesce(honours, 0), 3) / 3
              + 40 * least(coalesce(voluntary, 0), 4) / 4
              + 20 * least(coalesce(repaired, 0), 2) / 2)))::DOUBLE, 2) AS score
        FROM people p LEFT JOIN v USING (subject_key)
    )
    SELECT subject_key, score,
        CASE WHEN score >= 850 THEN 'EXCELLENT' WHEN score >= 700 THEN 'GOOD'
             WHEN score >= 500 THEN 'FAIR' ELSE 'POOR' END AS grade
    FROM s
    """  # noqa: S608


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def ibis_run(
    con: Any, paths: list[str], model: EvaluationModel, day: int, after: int | None = None
) -> tuple[pa.Table, pa.Table]:
    """What ``service._score`` computes for one model: scores and the explanation rows."""
    table = pipeline.open_snapshot(con, paths)
    scoped = pipeline.in_scope(table, after).cache()
    current = pipeline.current_records(scoped).cache()
    values = pipeline.indicator_values(current, model, day, with_entries=True).cache()
    try:
        scored = pipeline.scores(scoped, current, model, day, values=values).to_pyarrow()
        contrib = pipeline.contributions(current, model, day, values).to_pyarrow()
    finally:
        values.release()
        current.release()
        scoped.release()
    return scored, contrib


def ibis_scores_only(con: Any, paths: list[str], model: EvaluationModel, day: int) -> pa.Table:
    scoped = pipeline.open_snapshot(con, paths)
    current = pipeline.current_records(scoped)
    result: pa.Table = pipeline.scores(scoped, current, model, day).to_pyarrow()
    return result


def compare(con: duckdb.DuckDBPyConnection, left: pa.Table, right: pa.Table, what: str) -> int:
    """Assert identical (subject, score, grade) sets; returns the count compared."""
    con.register("l_side", left.select(["subject_key", "score", "grade"]))
    con.register("r_side", right.select(["subject_key", "score", "grade"]))
    (n_l,), (n_r,) = (
        con.sql("SELECT count(*) FROM l_side").fetchall()[0],
        con.sql("SELECT count(*) FROM r_side").fetchall()[0],
    )
    (diff,) = con.sql(
        "SELECT count(*) FROM l_side l FULL JOIN r_side r USING (subject_key) "
        "WHERE l.score IS DISTINCT FROM r.score OR l.grade IS DISTINCT FROM r.grade"
    ).fetchall()[0]
    if diff or n_l != n_r:
        sample = con.sql(
            "SELECT subject_key, l.score, r.score, l.grade, r.grade "
            "FROM l_side l FULL JOIN r_side r USING (subject_key) "
            "WHERE l.score IS DISTINCT FROM r.score OR l.grade IS DISTINCT FROM r.grade LIMIT 5"
        ).fetchall()
        raise SystemExit(
            f"{what}: {diff} subjects differ ({n_l} vs {n_r} rows); e.g. (subject, score "
            f"left, right, grade left, right): {sample}"
        )
    con.unregister("l_side")
    con.unregister("r_side")
    return int(n_l)


def spark_session(memory: str) -> Any:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("xinyong-bench-evaluate")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def changes_part(
    con: duckdb.DuckDBPyConnection, paths: list[str], target: Path, head: int, seed: int
) -> tuple[int, int]:
    """A part after ``head``: a later entry on 30 % of the records of 1 % of the subjects."""
    files = ", ".join(f"'{p}'" for p in paths)
    u = _u("id", 20, seed)
    con.execute(
        f"""COPY (
            SELECT ({head} + row_number() OVER (ORDER BY id))::BIGINT AS id,
                subject_key, subject_kind, item_code, record_key, department_code,
                CASE WHEN {u} < 0.1 THEN 'correct' WHEN {u} < 0.2 THEN 'repair'
                     ELSE 'revoke' END AS action,
                decision_day, severity, public, public_until_day, facet
            FROM read_parquet([{files}])
            WHERE hash(subject_key, {seed}) % 100 = 0 AND {u} < 0.3 AND action = 'assert'
        ) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"""  # noqa: S608
    )
    rows, subjects = con.sql(
        f"SELECT count(*), count(DISTINCT subject_key) FROM '{target}'"  # noqa: S608
    ).fetchall()[0]
    return int(rows), int(subjects)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=20_000_000)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    ap.add_argument("--spark-subjects", type=int, default=200_000)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of (a) and (b); best kept")
    ap.add_argument("--memory", default="8GB", help="DuckDB memory limit (Spark driver: the same)")
    ap.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "xinyong-bench-evaluate"
    )
    ap.add_argument(
        "--keep", action="store_true", help="keep the generated snapshot for another run"
    )
    args = ap.parse_args()

    catalogue = load_evaluation_catalogue()
    model = catalogue.model(MODEL)
    if model.version != HAND_WRITTEN_FOR:
        raise SystemExit(
            f"{MODEL} is version {model.version}; the hand-written query transcribes "
            f"{HAND_WRITTEN_FOR}: update hand_written() first"
        )
    day = (args.day - snap.EPOCH).days
    run_dir = args.work / f"s{args.subjects}-e{args.entries}-seed{args.seed}"
    folder = snapshot_folder(run_dir)
    settings = {"threads": 2, "memory_limit": args.memory, "preserve_insertion_order": False}
    raw = duckdb.connect(config=settings)
    print(f"machine: {machine()}")
    print(f"DuckDB {duckdb.__version__}: threads=2, memory_limit={args.memory}")
    try:
        manifest = snap.read_manifest(folder)
        if manifest is not None and manifest.head == args.entries:
            print(f"snapshot: reusing {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
            gen_s, _ = timed(
                lambda: generate(
                    raw, folder, args.subjects, args.entries, args.seed, day, dict(catalogue.facets)
                )
            )
            manifest = snap.read_manifest(folder)
            print(f"snapshot: generated {args.entries:,} entries in {gen_s:.1f} s ({folder})")
        if manifest is None:
            raise SystemExit(f"no snapshot manifest in {folder}")
        paths = snap.part_paths(folder, manifest)
        size = sum(Path(p).stat().st_size for p in paths) / 2**20
        (n_subjects,) = raw.sql(
            f"SELECT count(DISTINCT subject_key) FROM read_parquet({paths})"  # noqa: S608
        ).fetchall()[0]
        print(
            f"snapshot: {manifest.head:,} entries, {n_subjects:,} subjects, {size:.0f} MiB Parquet"
        )
        print(f"model {model.code} {model.version}, evaluation day {args.day}")

        import ibis

        con = ibis.duckdb.connect(**settings)

        def hand_run() -> pa.Table:
            out = raw.sql(hand_written(paths, day)).arrow()
            # DuckDB 1.4+: .arrow() returns a reader
            return out if isinstance(out, pa.Table) else out.read_all()

        # Interleaved, best of --repeat: the machine is shared, a single run is noisy.
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            t_ibis, (scored, contrib) = timed(lambda: ibis_run(con, paths, model, day))
            t_only, only = timed(lambda: ibis_scores_only(con, paths, model, day))
            t_raw, hand = timed(hand_run)
            for k, v in (("ibis", t_ibis), ("only", t_only), ("raw", t_raw)):
                best[k] = min(best.get(k, v), v)
        ibis_s, only_s, raw_s = best["ibis"], best["only"], best["raw"]
        entries = manifest.head

        def line(label: str, secs: float, rows: int) -> None:
            print(
                f"  {label:<44} {secs:8.2f} s  {rows / secs:12,.0f} subjects/s"
                f"  {entries / secs:12,.0f} entries/s"
            )

        # The figures first: a disagreement below must not cost the run's timings.
        print(f"best of {args.repeat} interleaved runs:")
        line("(a) Ibis on DuckDB, scores + explanations", ibis_s, scored.num_rows)
        line("(a') Ibis on DuckDB, scores and grades only", only_s, only.num_rows)
        line("(b) hand-written DuckDB SQL, scores, grades", raw_s, hand.num_rows)
        print(f"  explanation rows: {contrib.num_rows:,}")
        print(
            f"  ratio raw/Ibis (scores and grades): {raw_s / only_s:.2f}"
            f"  (with explanations: {raw_s / ibis_s:.2f}; target >= 0.8)"
        )
        compared = compare(raw, scored, hand, "Ibis vs hand-written")
        compare(raw, only, hand, "Ibis (scores only) vs hand-written")
        print(f"scores and grades identical for {compared:,} subjects (Ibis vs hand-written)")

        # (d) incremental: 1 % of the subjects changed after the head.
        incr = run_dir / "incremental" / f"part-{entries + 1:012d}.parquet"
        incr.parent.mkdir(parents=True, exist_ok=True)
        rows, changed = changes_part(raw, paths, incr, entries, args.seed)
        inc_s, (inc_scored, _c) = timed(
            lambda: ibis_run(con, [*paths, str(incr)], model, day, after=entries)
        )
        print(
            f"  (d) incremental, {rows:,} new entries on {changed:,} subjects: "
            f"{inc_scored.num_rows:,} re-scored in {inc_s:.2f} s (Ibis on DuckDB)"
        )
        con.disconnect()

        if not args.no_spark:
            sample = min(args.spark_subjects, args.subjects)
            spark_paths = paths
            if sample < args.subjects:
                target = run_dir / "spark-sample" / f"part-first-{sample}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                raw.execute(
                    f"COPY (SELECT * FROM read_parquet({paths}) "  # noqa: S608
                    f"WHERE right(subject_key, 10)::BIGINT < {sample} ORDER BY id) "
                    f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
                )
                spark_paths = [str(target)]
            (s_entries,) = raw.sql(f"SELECT count(*) FROM read_parquet({spark_paths})").fetchall()[  # noqa: S608
                0
            ]
            start_s, session = timed(lambda: spark_session(args.memory.replace("GB", "g")))
            sc = ibis.pyspark.connect(session)
            spark_s, (s_scored, _sc) = timed(lambda: ibis_run(sc, spark_paths, model, day))
            raw.register("duck_scores", scored)
            subset = raw.sql(
                f"SELECT * FROM duck_scores WHERE right(subject_key, 10)::BIGINT < {sample}"  # noqa: S608
            ).arrow()
            if not isinstance(subset, pa.Table):
                subset = subset.read_all()
            n_spark = compare(raw, s_scored, subset, "Spark vs DuckDB")
            what = (
                "every subject"
                if sample >= args.subjects
                else f"a sample: the first {sample:,} subjects"
            )
            print(
                f"(c) Ibis on Spark local[2] ({what}, {s_entries:,} entries; "
                f"session start {start_s:.1f} s not counted): {spark_s:.2f} s, "
                f"{n_spark / spark_s:,.0f} subjects/s, {s_entries / spark_s:,.0f} entries/s; "
                f"scores and grades identical to DuckDB's for {n_spark:,} subjects"
            )
            session.stop()
    finally:
        raw.close()
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
