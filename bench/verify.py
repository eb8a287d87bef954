"""Cost of ``xinyong audit verify`` on a ledger of realistic size.

    .venv/bin/python bench/verify.py [--subjects 200000] [--listed 20000] [--runs 3] [--keep]

Builds (or, with ``--keep``, reuses) a PostgreSQL database through the real import pipeline
(bench/check.py's ``seed``: ``--subjects`` penalty rows, each with its legal representative,
then ``--listed`` 失信被执行人 rows that become list memberships), then runs the real command
``xinyong audit verify`` in a fresh process ``--runs`` times and prints the wall time of each
and the ledger size. Any run that does not exit 0 fails the benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from xinyong.kernel.clock import CHINA_TZ
from xinyong.ledger.tables import entries
from xinyong.store.db import make_engine

sys.path.insert(0, str(Path(__file__).parent))
from check import SECRET, seed
from common import machine


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=200_000)
    ap.add_argument("--listed", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    ap.add_argument(
        "--url",
        default=os.environ.get(
            "XINYONG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = ap.parse_args()
    today = dt.datetime.now(CHINA_TZ).date()
    work = Path(tempfile.mkdtemp(prefix="xinyong-bench-verify-"))
    name = f"xinyong_bench_verify_{args.subjects}_{args.listed}"
    admin = create_engine(
        args.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    url = args.url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists and not args.keep:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    print(f"machine: {machine()}")
    if not exists:
        print(f"seeding {name} through the import pipeline …", flush=True)
        seed(url, args.subjects, args.listed, today, work)
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        n_entries = conn.execute(select(func.count()).select_from(entries)).scalar_one()
    engine.dispose()
    print(f"ledger: {n_entries:,} entries", flush=True)
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://"),
        "XINYONG_SECRET_KEY": SECRET,
        "XINYONG_DATA_DIR": str(work / "var"),
    }
    xinyong = Path(sys.executable).parent / "xinyong"
    times = []
    try:
        for i in range(args.runs):
            t0 = time.perf_counter()
            done = subprocess.run(
                [str(xinyong), "audit", "verify"], env=env, capture_output=True, text=True
            )
            elapsed = time.perf_counter() - t0
            times.append(elapsed)
            last = (done.stdout or done.stderr).strip().splitlines()[-1:]
            print(f"  run {i + 1}: {elapsed:.1f} s, exit {done.returncode}: {last}", flush=True)
            if done.returncode != 0:
                print(done.stderr[-4000:], file=sys.stderr)
                raise SystemExit(1)
        best = min(times)
        print(
            f"audit verify on {n_entries:,} entries: best {best:.1f} s "
            f"({n_entries / best:,.0f} entries/s)"
        )
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
