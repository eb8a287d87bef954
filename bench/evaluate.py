"""Evaluation benchmark: the ledger's snapshot export, a full run and an incremental run of the
one Ibis pipeline (DuckDB), beside a hand-written DuckDB SQL query computing the same scores
over the same Parquet, in the same run.

    .venv/bin/python bench/evaluate.py [--subjects 1000000] [--entries-per-subject 20]
                                       [--threads N] [--keep]

1. Seeds PostgreSQL database ``xinyong_bench_evaluate_<n>`` through the ledger's bulk path
   (``ledger.repository.insert_entries``: COPY), not the import: ``--subjects`` organisations
   with on average ``--entries-per-subject`` entries each (licences, penalties by severity
   over three years, inspections, commitments with their 履约状态, honours, list entries),
   one batch header per 200,000 entries. Content hashes are placeholders: the evaluation
   reads none of them. With ``--keep`` the database (and the snapshot folder under
   ``/tmp/xinyong-bench-evaluate-<n>``) stay and a rerun skips the seeding.
2. Times, on one DuckDB connection (``--threads``, default: every CPU):
   - the snapshot export (ledger → Parquet, the first part);
   - the full run (``evaluation.service.run --full``: score every subject under every model,
     explanations included, and write the results back with COPY), and inside it the
     pipeline alone (``scores`` to Arrow) beside the raw SQL over the same parts, with the
     number of subjects whose score differs (must be 0);
   - 1 % of the subjects given new entries (bulk path again), then the incremental export
     (a second part) and the incremental run, beside the raw SQL restricted to the changed
     subjects.
   Prints the figures side by side with the machine and the load average (the machine is
   shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from xinyong.catalog.evaluation import EvaluationModel, Function, load_evaluation_catalogue
from xinyong.evaluation import engines, pipeline, snapshot
from xinyong.evaluation import repository as eval_repo
from xinyong.evaluation import service as evaluation
from xinyong.kernel.clock import CHINA_TZ
from xinyong.ledger import repository as ledger_repo
from xinyong.ledger.tables import batches, entries
from xinyong.store.db import copy_rows, make_engine
from xinyong.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime.combine(TODAY, dt.time(9), tzinfo=CHINA_TZ)
BATCH = 200_000
ZERO = "0" * 64
ENTRY_COLUMNS = (
    "id",
    "batch_id",
    "seq",
    "subject_key",
    "subject_kind",
    "item_code",
    "item_version",
    "record_key",
    "action",
    "decision_date",
    "severity",
    "disclosure",
    "content_hash",
    "payload",
    "department_code",
    "received_at",
    "public",
    "public_from",
    "public_until",
    "window_reason",
    "late",
    "entry_hash",
)
# (item, share, department): what a province's ledger mostly holds.
MIX = (
    ("XZXK", 0.40, "scjg"),
    ("XZCF", 0.25, "scjg"),
    ("XZJC", 0.15, "scjg"),
    ("XYCN", 0.14, "fgw"),
    ("CXRY", 0.03, "fgw"),
    ("JYYC", 0.02, "scjg"),
    ("YZSX", 0.01, "scjg"),
)


def db_name(n: int) -> str:
    return "xinyong_bench_evaluate_" + ("1m" if n == 1_000_000 else str(n))


def uscc(i: int) -> str:
    return f"91610000{i:010d}"  # USCC-shaped (the evaluation checks no check digit)


def _entry(rng: random.Random, eid: int, batch: int, seq: int, key: str, n: int) -> tuple[Any, ...]:
    r = rng.random()
    acc = 0.0
    item, dept = MIX[-1][0], MIX[-1][2]
    for code, share, d in MIX:
        acc += share
        if r < acc:
            item, dept = code, d
            break
    decided = TODAY - dt.timedelta(days=rng.randrange(0, 1460))
    severity = None
    payload = "{}"
    public_until: dt.date | None = decided + dt.timedelta(days=1095)
    if item == "XZCF":
        s = rng.random()
        severity = "严重" if s < 0.05 else "轻微" if s < 0.2 else "一般"
    elif item == "XZJC":
        payload = json.dumps({"JC_JGLB": "01" if rng.random() < 0.8 else "04"})
    elif item == "XYCN":
        payload = json.dumps({"CN_LYZT": rng.choice(("2", "2", "2", "3", "4"))})
    elif item == "XZXK":
        public_until = None if rng.random() < 0.5 else decided + dt.timedelta(days=1825)
    return (
        eid,
        batch,
        seq,
        key,
        "organisation",
        item,
        "1",
        f"{key}|{item}|{n}",
        "assert",
        decided,
        severity,
        "社会公开",
        ZERO,
        payload,
        dept,
        NOW,
        True,
        decided,
        public_until,
        "bench",
        False,
        ZERO,
    )


def generate(
    subjects: Sequence[int], per_subject: int, first_id: int, first_batch: int, seed: int
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """(batch id, rows) of BATCH entries at most, ids from ``first_id``."""
    rng = random.Random(seed)
    eid, batch, rows = first_id, first_batch, []
    for i in subjects:
        key = uscc(i)
        for n in range(max(1, int(rng.expovariate(1 / per_subject)) + 1)):
            rows.append(_entry(rng, eid, batch, len(rows) + 1, key, n))
            eid += 1
            if len(rows) == BATCH:
                yield batch, rows
                batch, rows = batch + 1, []
    if rows:
        yield batch, rows


def write(engine: Any, chunks: Iterator[tuple[int, list[tuple[Any, ...]]]]) -> int:
    total = 0
    for batch, rows in chunks:
        with engine.begin() as conn:
            conn.execute(
                batches.insert().values(
                    id=batch,
                    department_code="scjg",
                    item_code="XZCF",
                    channel="system",
                    source_name=f"bench-{batch}",
                    file_sha256=ZERO,
                    format="csv",
                    received_at=NOW,
                    row_count=len(rows),
                    accepted=len(rows),
                    rejected=0,
                    duplicates=0,
                    corrections=0,
                    late=0,
                    catalogue_version="bench",
                    entry_count=len(rows),
                    merkle_root=ZERO,
                    prev_hash=ZERO,
                    chain_hash=ZERO,
                )
            )
            copy_rows(conn, entries.name, ENTRY_COLUMNS, rows)
            ledger_repo.set_head(conn, batch, ZERO)
        total += len(rows)
        print(f"  {total:,} entries written", flush=True)
    return total


def prepare(n: int, per_subject: int, keep: bool) -> tuple[str, bool]:
    """(the database URL, whether it was seeded now)."""
    name = db_name(n)
    admin = create_engine(
        ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists and not keep:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    if exists:
        return url, False
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    written = write(engine, generate(range(n), per_subject, 1, 1, seed=12))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE entries"))
    print(f"  seeded {written:,} entries in {time.perf_counter() - t0:.0f} s", flush=True)
    engine.dispose()
    return url, True


# -- the hand-written baseline ------------------------------------------------------------


def _quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def raw_sql(model: EvaluationModel, day: int, paths: Sequence[str], after: int | None) -> str:
    """The model's scores as one plain DuckDB query: the current record of each record key,
    one conditional aggregate per indicator in a single GROUP BY, base + Σ clamped."""
    values, terms = [], []
    for k, ind in enumerate(model.indicators):
        cond = [f"item_code IN ({_quote(ind.items)})"]
        if ind.severities:
            cond.append(f"severity IN ({_quote(ind.severities)})")
        if ind.facet_values:
            cond.append(f"facet IN ({_quote(ind.facet_values)})")
        if ind.actions:
            cond.append(f"action IN ({_quote(ind.actions)})")
        if ind.exclude_actions:
            cond.append(f"action NOT IN ({_quote(ind.exclude_actions)})")
        if ind.active:
            cond.append(f"public AND (public_until_day IS NULL OR public_until_day > {day})")
        if ind.function is Function.COUNT:
            factor = "1.0"
        else:
            age = f"({day} - decision_day)"
            bands = " ".join(f"WHEN {age} < {b.within_days} THEN {b.factor}" for b in ind.recency)
            factor = f"CASE WHEN decision_day IS NULL OR {age} < 0 THEN 0.0 {bands} ELSE 0.0 END"
        values.append(f"SUM(CASE WHEN {' AND '.join(cond)} THEN {factor} ELSE 0.0 END) AS v{k}")
        terms.append(f"{ind.sign * ind.weight} * LEAST(COALESCE(v{k}, 0), {ind.cap}) / {ind.cap}")
    kinds = _quote(model.subject_kinds)
    files = "[" + _quote(paths) + "]"
    scope = (
        ""
        if after is None
        else f"WHERE subject_key IN (SELECT subject_key FROM snap WHERE id > {after})"  # noqa: S608
    )
    f = model.score
    # Built from the catalogue's own model (and quoted): the baseline's point is plain SQL.
    return f"""
WITH snap AS (SELECT * FROM read_parquet({files})),
scoped AS (SELECT * FROM snap {scope}),
cur AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (
      PARTITION BY item_code, department_code, record_key ORDER BY id DESC) AS rn
    FROM scoped)
  WHERE rn = 1 AND action <> 'revoke' AND subject_kind IN ({kinds})),
agg AS (SELECT subject_key, {", ".join(values)} FROM cur GROUP BY subject_key),
pop AS (SELECT DISTINCT subject_key FROM scoped WHERE subject_kind IN ({kinds}))
SELECT pop.subject_key,
  ROUND(LEAST(GREATEST({f.base} + {" + ".join(terms)}, {f.min}), {f.max}), 2) AS score
FROM pop LEFT JOIN agg USING (subject_key)
"""  # noqa: S608


def _timed(label: str, fn: Any, figures: dict[str, float]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    figures[label] = time.perf_counter() - t0
    print(f"  {label}: {figures[label]:.1f} s", flush=True)
    return out


def _compare(
    con: Any,
    paths: Sequence[str],
    model: EvaluationModel,
    day: int,
    after: int | None,
    figures: dict[str, float],
    tag: str,
) -> int:
    """Pipeline scores vs the raw SQL over the same parts: both timed; the differing count."""
    table = pipeline.open_snapshot(con, paths, name=f"snap_{tag}")
    scoped = pipeline.in_scope(table, after)
    current = pipeline.current_records(scoped)
    ours = _timed(
        f"{tag}: pipeline scores (Ibis on DuckDB)",
        lambda: (
            pipeline.scores(scoped, current, model, day).select("subject_key", "score").to_pyarrow()
        ),
        figures,
    )
    raw = _timed(
        f"{tag}: raw DuckDB SQL",
        lambda: con.con.sql(raw_sql(model, day, paths, after)).to_arrow_table(),
        figures,
    )
    con.con.register(f"ours_{tag}", ours)
    con.con.register(f"raw_{tag}", raw)
    differ = con.con.execute(
        f"SELECT count(*) FROM ours_{tag} o FULL JOIN raw_{tag} r USING (subject_key) "  # noqa: S608
        "WHERE o.score IS DISTINCT FROM r.score"
    ).fetchone()[0]
    print(f"  {tag}: {len(ours):,} subjects scored, {differ} differ from the raw SQL", flush=True)
    return int(differ)


def _manifest(folder: Path) -> snapshot.Manifest:
    found = snapshot.read_manifest(folder)
    if found is None:
        raise SystemExit(f"no snapshot manifest in {folder}")
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--entries-per-subject", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    n = args.subjects
    print(f"machine: {machine()}; load average {os.getloadavg()}", flush=True)
    url, seeded = prepare(n, args.entries_per_subject, args.keep)
    engine = make_engine(url)
    folder = Path(tempfile.gettempdir()) / f"xinyong-bench-evaluate-{n}"
    if seeded or not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    with engine.begin() as conn:  # results of an earlier run, and changes it made, go
        conn.execute(text("DELETE FROM evaluation_results"))
        conn.execute(text("DELETE FROM evaluation_runs"))
        # The 1 % change of an earlier run (--keep): this database is the benchmark's own, so
        # the ledger's append-only triggers are lifted for the clean-up.
        for table in ("entries", "batches"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(text("DELETE FROM entries WHERE batch_id >= 1000000"))
        conn.execute(text("DELETE FROM batches WHERE id >= 1000000"))
        for table in ("entries", "batches"):
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        entry_count = conn.execute(text("SELECT count(*) FROM entries")).scalar_one()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"{n:,} subjects, {entry_count:,} ledger entries; DuckDB threads {args.threads}")
    catalogue = load_evaluation_catalogue()
    model = catalogue.in_force(TODAY)[0]
    day = (TODAY - snapshot.EPOCH).days

    def connect() -> Any:
        con = engines.duckdb()
        con.raw_sql(f"SET threads = {args.threads}")
        return con

    figures: dict[str, float] = {}
    with engine.begin() as conn:
        _timed(
            "snapshot export (ledger → Parquet)",
            lambda: snapshot.export(conn, folder, catalogue.facets),
            figures,
        )
    manifest = _manifest(folder)
    paths = snapshot.part_paths(folder, manifest)
    con = connect()
    differ_full = _compare(con, paths, model, day, None, figures, "full")
    con.disconnect()
    full = _timed(
        "full run (pipeline, explanations, results written back)",
        lambda: evaluation.run(
            engine, catalogue, folder, now=NOW, actor="system:bench", full=True, connect=connect
        ),
        figures,
    )

    # 1 % of the subjects change: new entries for each, through the same bulk path.
    rng = random.Random(7)
    changed = sorted(rng.sample(range(n), max(1, n // 100)))
    with engine.connect() as conn:
        head = eval_repo.ledger_head(conn)
    write(engine, generate(changed, 1, head + 1, 1_000_000, seed=8))
    t0 = time.perf_counter()
    inc = evaluation.run(engine, catalogue, folder, now=NOW, actor="system:bench", connect=connect)
    figures["incremental run (export + score + write, 1 % changed)"] = time.perf_counter() - t0
    manifest = _manifest(folder)
    con = connect()
    differ_inc = _compare(
        con,
        snapshot.part_paths(folder, manifest),
        model,
        day,
        int(full["ledger_head"]),
        figures,
        "incremental",
    )
    con.disconnect()

    print()
    print(f"machine: {machine()}; load average after {os.getloadavg()}")
    print(f"{n:,} subjects, {entry_count:,} entries, model {model.code} {model.version}")
    print(f"{'step':<62} {'seconds':>9}")
    for label, seconds in figures.items():
        print(f"{label:<62} {seconds:>9.1f}")
    for tag in ("full", "incremental"):
        ours = figures[f"{tag}: pipeline scores (Ibis on DuckDB)"]
        raw = figures[f"{tag}: raw DuckDB SQL"]
        print(f"{tag}: pipeline at {raw / ours:.2f} of the raw SQL's speed")
    print(
        f"full run: {full['total']:,} results; incremental run: {inc['total']:,} results, "
        f"{inc['exported']:,} entries exported; scores differing from the raw SQL: "
        f"{differ_full} (full), {differ_inc} (incremental)"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
