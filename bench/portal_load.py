"""Portal load benchmark: public search and subject pages at 1,000,000 subjects, under
concurrent load, beside the trivial endpoint in the same run.

    .venv/bin/python bench/portal_load.py [--subjects 1000000] [--duration 20]
                                          [--connections 8] [--workers 2] [--keep]

1. Seeds PostgreSQL database ``xinyong_bench_portal_1m`` (named by the size) through the real
   import pipeline: ``--subjects`` penalty rows, each a distinct company with its legal
   representative, in 250,000-row files, so the ledger entries, subjects, relations, name
   observations and search index rows are exactly what an import writes (the import keeps the
   search index itself, pinyin included). For the load only, the secondary indexes of
   ``search_index`` (the pg_trgm GIN and the B-trees) are dropped first and rebuilt from their
   own definitions afterwards, as one does for a bulk load: maintaining a GIN row by row is
   what made ``bench/search.py`` take 600 s for 200,000. Then ``VACUUM ANALYZE``.
   With ``--keep`` the database stays and a rerun skips all of this.
2. Starts the real server (uvicorn, ``--workers`` processes) on loopback, with the search rate
   limit lifted (one client address sends everything).
3. Loads it with wrk (8 connections): ``GET /healthz`` (trivial), ``GET /search?q=`` with a mix
   of query kinds, ``GET /subjects/{code}``, then each search kind alone. Every wrk script
   hands out pre-formatted requests. Prints req/s and p50/p90/p99 side by side, with the load
   average before and after each run (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, func, select, text

from xinyong.access import service as access
from xinyong.bootstrap import build_platform
from xinyong.demo.generator import XZCF_HEADERS, penalty_rows
from xinyong.identity.tables import subjects
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.ledger.tables import entries
from xinyong.search import service as search
from xinyong.search.tables import search_index
from xinyong.store.db import make_engine
from xinyong.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from check import _csv, start_server
from common import machine

SECRET = "5a" * 32  # the key check.start_server gives the server
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TODAY = dt.date(2026, 12, 1)
CHUNK = 250_000
# Kept while loading: the primary key, and the unique subject key the import's index
# maintenance looks rows up by.
KEPT = ("search_index_pkey", "search_index_subject_key_key", "uq_search_index_subject_key")


def db_name(n: int) -> str:
    return "xinyong_bench_portal_" + ("1m" if n == 1_000_000 else str(n))


def seed(url: str, n: int, work: Path) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        defs = [
            (name, ddl)
            for name, ddl in conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_index'")
            )
            if name not in KEPT and "UNIQUE" not in ddl
        ]
        for name, _ in defs:
            conn.execute(text(f'DROP INDEX "{name}"'))
    print(f"  dropped for the load: {', '.join(n for n, _ in defs)}", flush=True)
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
        if len(chunk) == CHUNK or done + len(chunk) == n:
            r = platform.importer().import_bytes(
                _csv(XZCF_HEADERS, chunk),
                filename=f"penalties-{done}.csv",
                department_code="scjg",
                item_code="XZCF",
            )
            done += len(chunk)
            chunk = []
            print(
                f"  imported {done:,} rows (accepted {r.accepted:,}) "
                f"{time.perf_counter() - t0:.0f} s; "
                + ", ".join(f"{k} {v:.0f}" for k, v in r.timings.items()),
                flush=True,
            )
    t1 = time.perf_counter()
    with engine.begin() as conn:
        for _, ddl in defs:
            conn.execute(text(ddl))
    print(f"  search_index indexes rebuilt in {time.perf_counter() - t1:.0f} s", flush=True)
    engine.dispose()


def prepare(n: int, keep: bool, work: Path) -> str:
    """The seeded database's URL (reused when kept from an earlier run)."""
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
    if not exists:
        print(f"seeding {name}: {n:,} penalty rows through the import …", flush=True)
        t0 = time.perf_counter()
        seed(url, n, work)
        print(f"  seeded in {time.perf_counter() - t0:.0f} s", flush=True)
    engine = make_engine(url)
    upgrade(engine)  # a kept database seeded before the newest migrations
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url


def drop(n: int) -> None:
    admin = create_engine(
        ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name(n)}" WITH (FORCE)'))
    admin.dispose()


def sample(url: str, k: int) -> tuple[dict[str, list[str]], list[str], dict[str, int]]:
    """Search queries of each kind drawn from the indexed names and codes (seeded), subject
    codes for the pages, and the table sizes."""
    engine = make_engine(url)
    rng = random.Random(9)
    with engine.connect() as conn:
        sizes = {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (subjects, entries, search_index)
        }
        top = int(conn.execute(text("SELECT max(id) FROM search_index")).scalar_one())
        ids = rng.sample(range(1, top + 1), k)
        rows = list(
            conn.execute(
                text("SELECT subject_key, name FROM search_index WHERE id = ANY(:ids)"),
                {"ids": ids},
            )
        )
    engine.dispose()
    codes = [c for c, _ in rows]
    names = [n for _, n in rows]
    kinds = {
        "code (whole, lower case)": [c.lower() for c in codes],
        "code prefix (10)": [c[:10] for c in codes],
        "name (whole)": names,
        "name prefix (4)": [n[:4] for n in names],
        "name substring (4)": [n[-8:-4] for n in names],
        "name substring (2)": [n[-6:-4] for n in names],
        "pinyin initials (4)": [search.initials(n)[:4] for n in names],
        "fuzzy (1 char changed)": [n[:3] + "鑫" + n[4:] for n in names],
    }
    return kinds, codes, sizes


def script(path: Path, targets: list[str]) -> str:
    """A wrk script sending GETs of ``targets`` in random order, formatted once per thread."""
    path.write_text(
        "local paths = {"
        + ",".join(json.dumps(t) for t in targets)
        + "}\nlocal reqs = {}\n"
        + "init = function(args)\n"
        + "  for i = 1, #paths do reqs[i] = wrk.format('GET', paths[i]) end\n"
        + "end\n"
        + "request = function() return reqs[math.random(#reqs)] end\n"
        + DONE,
        encoding="utf-8",
    )
    return str(path)


# wrk's summary with p95 (its --latency table has none) and the failures, parsed below.
DONE = (
    "done = function(summary, latency, requests)\n"
    "  local e = summary.errors\n"
    "  io.write(string.format('RESULT %d %f %f %f %f %f %d %d %d\\n', summary.requests,"
    " summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,"
    " latency:percentile(99) / 1e3, latency.max / 1e3, e.status, e.timeout,"
    " e.connect + e.read + e.write))\n"
    "end\n"
)


def wrk(url: str, script_path: str, duration: int, connections: int) -> dict[str, float]:
    """One wrk run; timeouts and non-2xx answers are counted, not fatal: on a
    loaded machine they are part of the figures."""
    # A long timeout: wrk leaves timed-out requests out of its latency histogram.
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    cmd += ["-s", script_path, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    n, secs, p50, p95, p99, worst, bad, timeouts, socket = line.split()[1:]
    return {
        "requests": int(n),
        "rps": int(n) / float(secs),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "max": float(worst),
        "non2xx": int(bad),
        "timeouts": int(timeouts),
        "socket": int(socket),
    }


def warm_up(url: str) -> None:
    """Wait until the server processes have loaded their read models (the check's subjects:
    each reads its million rows at start), so that no run measures a server still starting."""
    engine = make_engine(url)
    quiet = 0
    try:
        for _ in range(600):
            with engine.connect() as conn:
                busy = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid() AND state <> 'idle'"
                    )
                ).scalar_one()
            quiet = quiet + 1 if busy == 0 else 0
            if quiet == 3:
                return
            time.sleep(1.0)
    finally:
        engine.dispose()


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--kind-duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--port", type=int, default=8731)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--seed-only", action="store_true", help="seed (and keep) the database, run no load"
    )
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    url = prepare(args.subjects, args.keep or args.seed_only, work)
    if args.seed_only:
        return
    kinds, codes, sizes = sample(url, args.queries)
    print(f"machine: {machine()}; load average (1/5/15 min) {load()}")
    print("database: " + ", ".join(f"{t} {v:,}" for t, v in sizes.items()))
    searches = {k: [f"/search?q={quote(q)}" for q in v] for k, v in kinds.items()}
    mixed = [p for v in searches.values() for p in v]
    runs: list[tuple[str, list[str] | None, int]] = [
        ("/healthz (trivial)", None, args.duration),
        ("/search, all kinds mixed", mixed, args.duration),
        ("/subjects/{code}", [f"/subjects/{c}" for c in codes], args.duration),
        ("/healthz (trivial, again)", None, args.duration),
    ] + [(f"/search: {k}", v, args.kind_duration) for k, v in searches.items()]
    os.environ["XINYONG_SEARCH_RATE_PER_MINUTE"] = "0"  # one address sends everything
    # Portal processes: no check copy. The portal's pages never read it, and its first load at
    # a million penalty entries outlasts the readiness wait under load (docs/benchmarks.md);
    # a deployment serves the check API from its own processes.
    os.environ["XINYONG_CHECK_CACHE_REFRESH_MS"] = "-1"
    server, base = start_server(url, args.port, args.workers, work)
    try:
        warm_up(url)
        print(
            f"wrk -t1 -c{args.connections}, server uvicorn --workers {args.workers}; "
            "latencies in ms"
        )
        print(
            f"{'endpoint':34} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
            f"{'reqs':>6} {'t/o':>4} {'!2xx':>4}  load before → after"
        )
        for label, targets, duration in runs:
            before = load()
            s = script(work / "run.lua", targets or ["/healthz"])
            r = wrk(base, s, duration, args.connections)
            print(
                f"{label:34} {r['rps']:7.1f} {r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f} "
                f"{r['max']:7.1f} {r['requests']:6} {r['timeouts']:4} {r['non2xx']:4}"
                f"  {before} → {load()}",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            drop(args.subjects)


if __name__ == "__main__":
    main()
