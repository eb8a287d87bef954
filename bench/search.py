"""Search benchmark: p50/p95 of the public search per query kind on PostgreSQL, beside a raw
baseline (one primary-key-like lookup of the index row by subject key).

    .venv/bin/python bench/search.py [--subjects 200000] [--queries 200] [--keep]
                                     [--sqlite PATH]

1. Builds a database through the real import pipeline (``--subjects`` penalty rows, each a
   distinct company; the import keeps the search index as it goes), then ``VACUUM ANALYZE``.
2. Draws ``--queries`` queries of each kind from the stored subjects (seeded) and times
   ``search.search`` in-process (one connection, the page of 20 the site shows), then the
   baseline. Prints p50/p95 in milliseconds and the hit rate of each kind.

``--keep`` keeps the database (named by the size) for another run. ``--sqlite PATH`` runs the
same on an SQLite file instead.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, select, text

from xinyong.access import service as access
from xinyong.bootstrap import build_platform
from xinyong.demo.generator import XZCF_HEADERS, penalty_rows
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.search import service as search
from xinyong.search.tables import search_index
from xinyong.store.db import make_engine
from xinyong.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

SECRET = "22" * 32
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TODAY = dt.date(2026, 12, 1)


def seed(engine: Engine, n: int, work: Path) -> float:
    upgrade(engine)
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9), tzinfo=CHINA_TZ))
    settings = Settings(
        data_dir=work / "var",
        secret_key=SECRET,
        max_import_bytes=4 * 2**30,
        max_import_rows=10_000_000,
    )
    platform = build_platform(settings, clock=clock, engine=engine)
    with engine.begin() as conn:
        access.add_department(
            conn, "scjg", "省市场监督管理局", "market_regulation", None, clock.now()
        )
    t0 = time.perf_counter()
    chunk: list[list[str]] = []
    done = 0
    for row in penalty_rows(n, today=TODAY):
        chunk.append(row)
        if len(chunk) == 50_000:
            done += _flush(platform, chunk, done)
            chunk = []
    if chunk:
        _flush(platform, chunk, done)
    return time.perf_counter() - t0


def _flush(platform: object, rows: list[list[str]], done: int) -> int:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(XZCF_HEADERS)
    w.writerows(rows)
    r = platform.importer().import_bytes(  # type: ignore[attr-defined]
        buf.getvalue().encode(),
        filename=f"p-{done}.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    print(f"  imported {done + len(rows):,} rows (accepted {r.accepted:,})", flush=True)
    return len(rows)


def queries(conn: Connection, k: int) -> dict[str, list[str]]:
    rng = random.Random(18)
    rows = list(conn.execute(select(search_index.c.subject_key, search_index.c.name)))
    sample = rng.sample(rows, k)
    out: dict[str, list[str]] = {
        "uscc exact (lower case)": [c.lower() for c, _ in sample],
        "uscc prefix (10)": [c[:10] for c, _ in sample],
        "uscc middle part (8)": [c[8:16] for c, _ in sample],
        "name exact": [n for _, n in sample],
        "name prefix (4)": [n[:4] for _, n in sample],
        "name substring (2 chars)": [n[-6:-4] for _, n in sample],
        "name substring (4 chars)": [n[-8:-4] for _, n in sample],
        "pinyin initials (4)": [search.initials(n)[:4] for _, n in sample],
        "fuzzy (1 char changed)": [n[:3] + "鑫" + n[4:] for _, n in sample],
        "nothing found": [f"不存在{i}的名称" for i in range(k)],
    }
    return out


def timed(run: Callable[[], object]) -> float:
    t = time.perf_counter()
    run()
    return (time.perf_counter() - t) * 1000


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--sqlite", type=Path)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    name = f"xinyong_bench_search_{args.subjects}"
    admin = None
    if args.sqlite:
        url, fresh = f"sqlite:///{args.sqlite}", not args.sqlite.exists()
    else:
        admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            fresh = not conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if fresh:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = ADMIN.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url.replace("postgresql+psycopg://", "postgresql://"))
    if fresh:
        print(f"seeding {args.subjects:,} subjects through the import pipeline …", flush=True)
        print(f"  import took {seed(engine, args.subjects, work):.1f} s", flush=True)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    print(
        f"machine: {machine()}; engine {engine.dialect.name} "
        f"{'.'.join(map(str, engine.dialect.server_version_info or ()))}"
    )
    limits = search.Limits()
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM search_index")).scalar_one()
        print(f"indexed subjects: {n:,}; {args.queries} queries per kind, page size 20")
        qs = queries(conn, args.queries)
        keys = [q.upper() for q in qs["uscc exact (lower case)"]]
        base = [
            timed(
                lambda k=k: conn.execute(
                    select(search_index).where(search_index.c.subject_key == k)
                ).all()
            )
            for k in keys
        ]
        print(f"{'kind':28} {'p50 ms':>8} {'p95 ms':>8} {'found':>7}")
        print(f"{'baseline: row by key':28} {pct(base, 50):8.2f} {pct(base, 95):8.2f} {'':>7}")
        for kind, items in qs.items():
            times, found = [], 0
            for q in items:
                t = time.perf_counter()
                r = search.search(conn, q, size=20, limits=limits)
                times.append((time.perf_counter() - t) * 1000)
                found += r.total > 0
            print(
                f"{kind:28} {pct(times, 50):8.2f} {pct(times, 95):8.2f} {found / len(items):6.0%}"
            )
    engine.dispose()
    if admin is not None and not args.keep:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
