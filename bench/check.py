"""Check benchmark (逢办必查): the check endpoint under concurrent load, beside a trivial one.

    .venv/bin/python bench/check.py [--subjects 1010000] [--listed 100000] [--duration 20]
                                    [--connections 8] [--threads 1] [--workers 2] [--keep]

1. Builds a PostgreSQL database the way a province fills it: ``--subjects`` penalty rows
   through the real import pipeline (each a distinct company with its legal representative),
   then ``--listed`` 失信被执行人 rows from the court's feed (item SXBZXR), which the import turns
   into list memberships and subject status rows.
2. Starts the real server (uvicorn, ``--workers`` processes) on loopback.
3. Loads it with wrk from another process: first ``GET /healthz`` (the trivial baseline: the
   same server, framework, threads and authentication-free path), then ``POST /api/v1/checks``
   with an office key, a random subject per request (half listed, half not) and a random
   scenario. Every check writes its receipt, as in production.
4. Prints throughput and p50/p90/p99 latency side by side and the ratios against the targets
   (check throughput >= 0.5 x trivial, p99 <= 20 ms). Any non-2xx answer fails the run.

``--keep`` keeps the database (named by the sizes) for another run; without it the database is
dropped at the end. wrk comes from Debian's package ``wrk``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text

from xinyong.access import service as access
from xinyong.bootstrap import build_platform
from xinyong.catalog.sanctions import load_sanctions
from xinyong.checks.tables import check_receipts
from xinyong.demo.generator import SXBZXR_HEADERS, XZCF_HEADERS, penalty_rows
from xinyong.identity.tables import subjects
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.lists.tables import list_memberships
from xinyong.store.db import make_engine
from xinyong.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

SECRET = "5a" * 32
CHUNK = 250_000  # rows per import file: bounded memory, as a department would send them


def _csv(headers: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def seed(url: str, n_subjects: int, n_listed: int, today: dt.date, work: Path) -> list[str]:
    """Fill the database through the import pipeline; returns the listed companies' codes."""
    engine = make_engine(url)
    upgrade(engine)
    clock = FixedClock(dt.datetime.combine(today, dt.time(9), tzinfo=CHINA_TZ))
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
        access.add_department(conn, "gy", "省高级人民法院", "court", None, clock.now())
    rng = random.Random(35)
    listed: list[list[str]] = []
    t0 = time.perf_counter()
    chunk: list[list[str]] = []
    done = 0

    def flush() -> None:
        nonlocal done, chunk
        r = platform.importer().import_bytes(
            _csv(XZCF_HEADERS, chunk),
            filename=f"penalties-{done}.csv",
            department_code="scjg",
            item_code="XZCF",
        )
        done += len(chunk)
        print(f"  imported {done:,} penalty rows (accepted {r.accepted:,})", flush=True)
        chunk = []

    for row in penalty_rows(n_subjects, today=today):
        chunk.append(row)
        if len(listed) < n_listed and rng.random() < n_listed / n_subjects * 1.2:
            decided = dt.date.fromisoformat(row[17])
            listed.append(
                [
                    row[0],
                    row[2],
                    row[3],
                    "省高级人民法院",
                    f"（{decided.year}）陕执{len(listed):07d}号",
                    decided.isoformat(),
                    "",
                    "支付货款",
                    "全部未履行",
                    "有履行能力而拒不履行生效法律文书确定义务",
                    decided.isoformat(),
                ]
            )
        if len(chunk) == CHUNK:
            flush()
    if chunk:
        flush()
    print(f"  penalties imported in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    r = platform.importer().import_bytes(
        _csv(SXBZXR_HEADERS, listed),
        filename="court-feed.csv",
        department_code="gy",
        item_code="SXBZXR",
    )
    print(
        f"  court feed: {r.accepted:,} 失信被执行人 rows in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    engine.dispose()
    return [row[1] for row in listed]


def wrk(
    url: str, script: str | None, duration: int, connections: int, threads: int
) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{non2xx.group(1)} failed answers from {url}:\n{out}")
    if "Socket errors" in out:
        raise SystemExit(f"socket errors from {url}:\n{out}")

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m is None:
            raise SystemExit(f"no {label}% latency in wrk output:\n{out}")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
        return float(m.group(1)) * scale

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        raise SystemExit(f"no Requests/sec in wrk output:\n{out}")
    total = re.search(r"(\d+) requests in", out)
    worst = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\s", out)
    if worst is None:
        raise SystemExit(f"no Latency line in wrk output:\n{out}")
    return {
        "rps": float(rps.group(1)),
        "requests": float(total.group(1)) if total else 0.0,
        "p50": ms("50"),
        "p90": ms("90"),
        "p99": ms("99"),
        "max": float(worst.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[worst.group(2)],
    }


def tear_down(server: Any, bench: Any, work: Path, *, keep: bool) -> None:
    """Stop the server's process group, drop the database unless kept, remove the work folder."""
    if server is not None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if not keep:
        bench.drop()
    shutil.rmtree(work, ignore_errors=True)


def settle(url: str) -> None:
    """Wait until the server has written the receipts of the checks just timed (its writer
    batches them off the request path), so that writing them does not slow the next
    endpoint's run: their cost belongs to the check."""
    engine = make_engine(url)
    try:
        last = -1
        while True:
            with engine.connect() as conn:
                n = conn.execute(select(func.count()).select_from(check_receipts)).scalar_one()
            if n == last:
                return
            last = n
            time.sleep(1.0)
    finally:
        engine.dispose()


def write_check_script(path: Path, pool: list[str], scenarios: list[str], key: str) -> None:
    """A wrk script posting checks of random subjects of ``pool`` in random scenarios."""
    # Requests are formatted once per wrk thread (init), so the client spends the same
    # per request on both endpoints: a Lua call returning a prepared string.
    path.write_text(
        "local codes = {"
        + ",".join(json.dumps(c) for c in pool)
        + "}\nlocal scenarios = {"
        + ",".join(json.dumps(s) for s in scenarios)
        + "}\n"
        + 'local headers = {["Content-Type"] = "application/json", ["X-API-Key"] = '
        + json.dumps(key)
        + "}\nlocal reqs = {}\n"
        + "init = function(args)\n"
        + "  for i = 1, 20000 do\n"
        + '    local body = \'{"subject":"\' .. codes[math.random(#codes)] ..'
        + ' \'","scenario":"\' .. scenarios[math.random(#scenarios)] .. \'"}\'\n'
        + '    reqs[i] = wrk.format("POST", "/api/v1/checks", headers, body)\n'
        + "  end\n"
        + "end\n"
        + "request = function() return reqs[math.random(#reqs)] end\n",
        encoding="utf-8",
    )


def wait_ready(
    server: subprocess.Popen[bytes], base: str, workers: int, limit: float = 600
) -> None:
    """Until every worker is ready (/readyz: its check read model loaded; at a million
    subjects that takes a while after start). Each probe lands on one worker, so readiness
    is believed after many answers in a row, more than the workers could all give by chance."""
    needed, in_a_row, started = 10 * workers, 0, time.monotonic()
    while in_a_row < needed:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode} before it was ready")
        if time.monotonic() - started > limit:
            raise SystemExit(f"server not ready after {limit:.0f} s")
        try:
            urllib.request.urlopen(base + "/readyz", timeout=5).read()  # noqa: S310
            in_a_row += 1
        except OSError:  # not listening yet, or 503 loading
            in_a_row = 0
            time.sleep(0.5)
    print(f"server ready after {time.monotonic() - started:.0f} s", flush=True)


def start_server(
    url: str, port: int, workers: int, work: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """The real server (uvicorn, ``workers`` processes) on loopback, once it answers."""
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://"),
        "XINYONG_SECRET_KEY": SECRET,
        "XINYONG_DATA_DIR": str(work / "var"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "xinyong.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            # The check read model's first load (a million subjects: tens of seconds) holds the
            # GIL long enough to miss uvicorn's 5 s worker health check, whose answer is a
            # restart: the load would start over, forever (docs/operations.md).
            "--timeout-worker-healthcheck",
            "300",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(server, base, workers)
    except BaseException:  # not ready: leave no server behind holding the port
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        raise
    return server, base


@dataclass
class Bench:
    admin: Engine
    name: str
    url: str
    pool: list[str]
    key: str

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def prepare(
    admin_url: str, n_subjects_wanted: int, n_listed: int, keep: bool, today: dt.date, work: Path
) -> Bench:
    """The seeded database (reused with ``keep``), a pool of subjects to check (half listed)
    and an office key."""
    name = f"xinyong_bench_check_{n_subjects_wanted}_{n_listed}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists and not keep:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    if not exists:
        print(f"seeding {name} through the import pipeline …", flush=True)
        seed(url, n_subjects_wanted, n_listed, today, work)
    # What autovacuum does within a minute of a bulk load; without statistics the planner
    # takes the item index for the check's record query and reads every penalty.
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    with engine.begin() as conn:
        n_subjects = conn.execute(select(func.count()).select_from(subjects)).scalar_one()
        listed = list(
            conn.execute(
                select(subjects.c.key)
                .join(list_memberships, list_memberships.c.subject_key == subjects.c.key)
                .where(list_memberships.c.exited_on.is_(None))
            ).scalars()
        )
        n_members = conn.execute(select(func.count()).select_from(list_memberships)).scalar_one()
        others = list(
            conn.execute(
                select(subjects.c.key)
                .where(subjects.c.kind == "organisation")
                .order_by(subjects.c.key)
                .limit(len(listed))
            ).scalars()
        )
        key = access.issue_key(conn, "bench", "office", None, dt.datetime.now(CHINA_TZ))
    engine.dispose()
    print(f"database: {n_subjects:,} subjects, {n_members:,} list memberships")
    if n_subjects < n_subjects_wanted or n_members < n_listed * 0.9:
        raise SystemExit(f"{name} is incomplete (an interrupted seed?): drop it and rerun")
    rng = random.Random(7)
    pool = rng.sample(listed, min(5000, len(listed))) + rng.sample(others, min(5000, len(others)))
    return Bench(admin, name, url, pool, key)


def warm_up(base: str, key: str, pool: list[str]) -> None:
    """One real check by hand, then until every worker has loaded its read model."""
    # One check by hand: the answer must be a real one before it is timed.
    req = urllib.request.Request(  # noqa: S310
        base + "/api/v1/checks",
        data=json.dumps({"subject": pool[0], "scenario": "government_procurement"}).encode(),
        headers={"Content-Type": "application/json", "X-API-Key": key},
    )
    sample = json.loads(urllib.request.urlopen(req, timeout=300).read())  # noqa: S310
    if not sample["memberships"]:
        raise SystemExit(f"the first pooled subject should be listed: {sample}")
    print(
        f"sample answer: {len(sample['memberships'])} membership(s), "
        f"{len(sample['measures'])} measure(s), receipt {sample['receipt']}"
    )
    # Each worker loads its check read model on its first check: wait until every worker
    # answers quickly (requests spread over the workers), then warm both paths.
    fast, started = 0, time.monotonic()
    while fast < 40 and time.monotonic() - started < 600:
        t0 = time.perf_counter()
        urllib.request.urlopen(req, timeout=300).read()  # noqa: S310
        fast = fast + 1 if time.perf_counter() - t0 < 0.05 else 0
    print(f"read models loaded in {time.monotonic() - started:.0f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=1_010_000)
    ap.add_argument("--listed", type=int, default=100_000)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3, help="alternating trivial/check rounds")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    ap.add_argument(
        "--url",
        default=os.environ.get(
            "XINYONG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    today = dt.datetime.now(CHINA_TZ).date()
    work = Path(tempfile.mkdtemp(prefix="xinyong-bench-check-"))
    print(f"machine: {machine()}")
    bench = prepare(args.url, args.subjects, args.listed, args.keep, today, work)
    url, pool, key = bench.url, bench.pool, bench.key
    server: subprocess.Popen[bytes] | None = None
    try:
        scenarios = sorted(load_sanctions().scenarios)
        lua = work / "check.lua"
        write_check_script(lua, pool, scenarios, key)
        trivial_lua = work / "trivial.lua"
        trivial_lua.write_text(
            "local reqs = {}\n"
            + "init = function(args)\n"
            + '  for i = 1, 20000 do reqs[i] = wrk.format("GET", "/healthz") end\n'
            + "end\n"
            + "request = function() return reqs[math.random(#reqs)] end\n",
            encoding="utf-8",
        )
        server, base = start_server(url, args.port, args.workers, work)
        warm_up(base, key, pool)
        wrk(base + "/healthz", str(trivial_lua), 3, args.connections, args.threads)
        wrk(base + "/api/v1/checks", str(lua), 3, args.connections, args.threads)
        # On a shared machine the throughput of both endpoints drifts with the neighbours'
        # load: the two are measured in alternation, and the ratio is taken per round.
        rounds = []
        for _ in range(args.rounds):
            trivial = wrk(
                base + "/healthz", str(trivial_lua), args.duration, args.connections, args.threads
            )
            check = wrk(
                base + "/api/v1/checks", str(lua), args.duration, args.connections, args.threads
            )
            rounds.append((trivial, check))
            settle(url)
        print(
            f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
            f"uvicorn --workers {args.workers}, loopback, {args.rounds} alternating rounds"
        )
        print(f"{'round':<6}{'endpoint':<28}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
        ratios = []
        for n, (trivial, check) in enumerate(rounds, 1):
            for label, r in (("GET /healthz (trivial)", trivial), ("POST /api/v1/checks", check)):
                print(
                    f"{n:<6}{label:<28}{r['rps']:>10,.0f}{r['p50']:>9.2f}{r['p90']:>9.2f}"
                    f"{r['p99']:>9.2f}"
                )
            ratios.append(check["rps"] / trivial["rps"])
        p99 = statistics.median(c["p99"] for _, c in rounds)
        print(
            f"\ncheck / trivial throughput per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
            f"median {statistics.median(ratios):.2f} (target >= 0.50); "
            f"median check p99 {p99:.1f} ms (target <= 20 ms)"
        )
    finally:
        tear_down(server, bench, work, keep=args.keep)


if __name__ == "__main__":
    main()
