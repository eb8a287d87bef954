"""Ingest benchmark: xinyong's import pipeline vs a raw COPY of the same rows, same run.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--url postgresql://postgres@127.0.0.1:5432/postgres]

Generates N valid penalty rows (双公示 CF_* layout) as a CSV file, then
  1. baseline: COPY the file into an unindexed table of text columns (no validation);
  2. xinyong: `Importer.import_bytes` — read, map headers, validate every field, hash, compute
     publication windows and deadlines, dedupe against the ledger, append (COPY) with the
     Merkle root and chain, identity bookkeeping — into a freshly migrated database.
Prints rows/s for both and the ratio. Each run uses its own throw-away database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text

from xinyong.access import service as access
from xinyong.bootstrap import build_platform
from xinyong.demo.generator import XZCF_HEADERS, penalty_rows
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.store.db import make_engine
from xinyong.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

WRITTEN = ("entries", "subjects", "relations", "name_observations")


def write_floor(url: str, rows: int, copy_rate: float) -> None:
    """Server-side cost of writing what the import wrote: the same rows of the four tables,
    pre-serialised (binary COPY), into empty tables with the same indexes. No Python work is
    timed, so this is the ceiling any client-side speed-up could reach."""
    with psycopg.connect(url) as pg:
        dumps: dict[str, bytes] = {}
        for table in WRITTEN:
            buf = bytearray()
            with pg.cursor() as cur, cur.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as cp:
                for block in cp:
                    buf += block
            dumps[table] = bytes(buf)
            pg.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        pg.commit()
        t0 = time.perf_counter()
        for table in WRITTEN:
            with (
                pg.cursor() as cur,
                cur.copy(f"COPY floor_{table} FROM STDIN (FORMAT binary)") as cp,
            ):
                cp.write(dumps[table])
        pg.commit()
        floor_s = time.perf_counter() - t0
    rate = rows / floor_s
    sizes = ", ".join(f"{t} {len(b) / 2**20:.0f} MiB" for t, b in dumps.items())
    print(
        f"write floor (same rows, indexed tables, no Python): {floor_s:6.1f} s  {rate:>10,.0f} rows/s"
        f"  ratio to COPY {rate / copy_rate:.2f}  ({sizes})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--url",
        default=os.environ.get(
            "XINYONG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = ap.parse_args()

    today = dt.date(2026, 11, 20)
    work = Path(tempfile.mkdtemp(prefix="xinyong-bench-"))
    path = work / "penalties.csv"
    t0 = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(XZCF_HEADERS)
        writer.writerows(penalty_rows(args.rows, today=today))
    size = path.stat().st_size
    print(f"machine: {machine()}")
    print(
        f"generated {args.rows:,} rows ({size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f} s"
    )

    name = f"xinyong_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        args.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.url.rsplit("/", 1)[0] + "/" + name
    try:
        # 1. Baseline: raw COPY into an unindexed table.
        cols = ", ".join(f'"{h}" text' for h in XZCF_HEADERS)
        with psycopg.connect(url) as pg:
            pg.execute(f"CREATE TABLE raw_penalties ({cols})")
            pg.commit()
            t0 = time.perf_counter()
            with (
                pg.cursor() as cur,
                cur.copy("COPY raw_penalties FROM STDIN WITH (FORMAT csv, HEADER true)") as cp,
                path.open("rb") as fh,
            ):
                while chunk := fh.read(1 << 20):
                    cp.write(chunk)
            pg.commit()
            copy_s = time.perf_counter() - t0
        copy_rate = args.rows / copy_s
        print(
            f"baseline COPY (unindexed, no validation): {copy_s:8.1f} s  {copy_rate:>10,.0f} rows/s"
        )

        # 2. xinyong's pipeline.
        engine = make_engine(url)
        upgrade(engine)
        clock = FixedClock(dt.datetime.combine(today, dt.time(10), tzinfo=CHINA_TZ))
        settings = Settings(
            data_dir=work / "var",
            secret_key="42" * 32,
            max_import_bytes=4 * 2**30,
            max_import_rows=10_000_000,
        )
        platform = build_platform(settings, clock=clock, engine=engine)
        with engine.begin() as conn:
            access.add_department(
                conn, "scjg", "省市场监督管理局", "market_regulation", None, clock.now()
            )
        data = path.read_bytes()
        t0 = time.perf_counter()
        result = platform.importer().import_bytes(
            data, filename=path.name, department_code="scjg", item_code="XZCF"
        )
        ours_s = time.perf_counter() - t0
        ours_rate = args.rows / ours_s
        print(
            f"xinyong import (validate+ledger+COPY):   {ours_s:8.1f} s  {ours_rate:>10,.0f} rows/s"
            f"  (accepted {result.accepted:,}, rejected {result.rejected:,}, late {result.late:,})"
        )
        print(f"ratio xinyong / COPY: {ours_rate / copy_rate:.2f} (target >= 0.50)")
        print("xinyong phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()))
        engine.dispose()
        write_floor(url, args.rows, copy_rate)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        path.unlink(missing_ok=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
