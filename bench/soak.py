"""Soak: checks and imports together on one real server, beside checks alone.

    .venv/bin/python bench/soak.py [--minutes 10] [--subjects 100000] [--listed 10000]
                                   [--connections 8] [--import-rows 2000] [--import-every 30]
                                   [--workers 2] [--keep]

1. Seeds (or, with ``--keep``, reuses) a PostgreSQL database as ``bench/check.py`` does, with
   its helpers: penalty rows and a court feed through the import pipeline.
2. Starts the real server (uvicorn, ``--workers``) on loopback and waits for the read models.
3. **Idle run**: wrk posts ``POST /api/v1/checks`` on ``--connections`` connections for
   ``--minutes`` (closed loop: each connection sends its next check when the answer arrives).
4. **Run under imports**: the same wrk load for the same time while a loop posts a new file of
   ``--import-rows`` penalty rows (new subjects) to ``POST /api/v1/imports`` every
   ``--import-every`` seconds with a department key. An answer 200/201 is the result; a 202 is
   followed to its progress URL (``Location`` or a ``*_url`` field) until done.
5. Prints total checks, check p50/p90/p99 idle vs under imports, imports done and rows/s. Any
   non-2xx answer or socket error (wrk's 2 s timeout included), of a check or an import, fails
   the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinyong.access import service as access
from xinyong.catalog.sanctions import load_sanctions
from xinyong.demo.generator import XZCF_HEADERS, penalty_rows
from xinyong.kernel.clock import CHINA_TZ
from xinyong.store.db import make_engine

sys.path.insert(0, str(Path(__file__).parent))
from check import (
    _csv,
    prepare,
    settle,
    start_server,
    tear_down,
    warm_up,
    write_check_script,
    wrk,
)
from common import machine

DONE = {"done", "completed", "complete", "finished", "succeeded", "success"}
FAILED = {"failed", "error", "errored"}


@dataclass
class Imports:
    done: int = 0
    rows: int = 0
    accepted: int = 0
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def _call(req: urllib.request.Request) -> tuple[int, dict[str, str], Any]:
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:  # noqa: S310
            body = resp.read()
            return resp.status, dict(resp.headers), json.loads(body) if body else {}
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()[:300].decode(errors="replace")


def _poll_url(headers: dict[str, str], body: Any) -> str | None:
    if headers.get("Location"):
        return headers["Location"]
    if isinstance(body, dict):
        for k, v in body.items():
            if k.endswith("url") and isinstance(v, str) and "rejection" not in k:
                return v
    return None


def import_one(base: str, key: str, filename: str, data: bytes) -> dict[str, Any]:
    """Post one file; follow a 202 to its end. Returns the import result."""
    body, boundary = _multipart(filename, data)
    req = urllib.request.Request(  # noqa: S310
        base + "/api/v1/imports?item=XZCF",
        data=body,
        headers={"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    status, headers, out = _call(req)
    if status in (200, 201):
        return dict(out)
    if status != 202:
        raise RuntimeError(f"import answered {status}: {out}")
    url = _poll_url(headers, out)
    if url is None:
        return dict(out)  # accepted for processing; nothing to follow
    if url.startswith("/"):
        url = base + url
    while True:
        time.sleep(0.5)
        status, _, out = _call(urllib.request.Request(url, headers={"X-API-Key": key}))  # noqa: S310
        if status >= 300:
            raise RuntimeError(f"import progress answered {status}: {out}")
        state = str(out.get("status") or out.get("state") or "").lower()
        if state in FAILED:
            raise RuntimeError(f"import failed: {out}")
        if state in DONE or ("accepted" in out and state not in {"running", "queued", "pending"}):
            result = out.get("result")
            return dict(result) if isinstance(result, dict) else dict(out)


def import_loop(
    base: str, key: str, files: list[bytes], every: float, stop: threading.Event, into: Imports
) -> None:
    start = time.monotonic()
    for n, data in enumerate(files):
        wait = start + n * every - time.monotonic()
        if stop.wait(max(0.0, wait)):
            return
        t0 = time.perf_counter()
        try:
            result = import_one(base, key, f"soak-{n}.csv", data)
        except (OSError, RuntimeError) as exc:
            into.errors.append(str(exc)[:300])
            continue
        into.seconds.append(time.perf_counter() - t0)
        into.done += 1
        into.rows += int(result.get("rows", 0))
        into.accepted += int(result.get("accepted", 0))
        if stop.is_set():
            return


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0, help="length of each of the two runs")
    ap.add_argument("--subjects", type=int, default=100_000)
    ap.add_argument("--listed", type=int, default=10_000)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--import-rows", type=int, default=2000)
    ap.add_argument("--import-every", type=float, default=30.0, help="seconds between imports")
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    seconds = round(args.minutes * 60)
    today = dt.datetime.now(CHINA_TZ).date()
    work = Path(tempfile.mkdtemp(prefix="xinyong-bench-soak-"))
    print(f"machine: {machine()}")
    bench = prepare(args.url, args.subjects, args.listed, args.keep, today, work)
    engine = make_engine(bench.url)
    with engine.begin() as conn:
        dept_key = access.issue_key(conn, "soak", "department", "scjg", dt.datetime.now(CHINA_TZ))
    engine.dispose()
    # New subjects in every file and every run (a kept database has the earlier runs' rows).
    salt = int(time.time()) % 1_000_000
    n_files = seconds // max(1, int(args.import_every)) + 1
    files = [
        _csv(XZCF_HEADERS, list(penalty_rows(args.import_rows, seed=salt * 1000 + n, today=today)))
        for n in range(n_files)
    ]
    lua = work / "check.lua"
    write_check_script(lua, bench.pool, sorted(load_sanctions().scenarios), bench.key)
    server = None
    try:
        server, base = start_server(bench.url, args.port, args.workers, work)
        warm_up(base, bench.key, bench.pool)
        wrk(base + "/api/v1/checks", str(lua), 5, args.connections, args.threads)
        settle(bench.url)
        print(f"idle run: checks only, {seconds} s …", flush=True)
        idle = wrk(base + "/api/v1/checks", str(lua), seconds, args.connections, args.threads)
        settle(bench.url)
        print(
            f"run under imports: checks and a {args.import_rows:,}-row file every "
            f"{args.import_every:g} s, {seconds} s …",
            flush=True,
        )
        imports = Imports()
        stop = threading.Event()
        loop = threading.Thread(
            target=import_loop,
            args=(base, dept_key, files, args.import_every, stop, imports),
            daemon=True,
        )
        t0 = time.monotonic()
        loop.start()
        try:
            loaded = wrk(base + "/api/v1/checks", str(lua), seconds, args.connections, args.threads)
        finally:
            stop.set()
            loop.join(timeout=600)
        wall = time.monotonic() - t0
        settle(bench.url)
    finally:
        tear_down(server, bench, work, keep=args.keep)

    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{seconds}s POST /api/v1/checks, "
        f"uvicorn --workers {args.workers}, loopback; imports: {args.import_rows:,} rows every "
        f"{args.import_every:g} s via POST /api/v1/imports"
    )
    print(
        f"{'run':<18}{'checks':>10}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    for label, r in (("idle", idle), ("under imports", loaded)):
        print(
            f"{label:<18}{r['requests']:>10,.0f}{r['rps']:>9,.0f}{r['p50']:>9.2f}"
            f"{r['p90']:>9.2f}{r['p99']:>9.2f}{r['max']:>9.0f}"
        )
    busy = sum(imports.seconds)
    print(
        f"imports: {imports.done} done, {imports.rows:,} rows ({imports.accepted:,} accepted) in "
        f"{wall:.0f} s; {imports.accepted / busy if busy else 0:,.0f} rows/s while importing "
        f"(median {sorted(imports.seconds)[len(imports.seconds) // 2] if imports.seconds else 0:.1f}"
        f" s per file); errors: 0 checks, {len(imports.errors)} imports"
    )
    if imports.errors:
        raise SystemExit("import errors:\n" + "\n".join(imports.errors))
    if imports.accepted != imports.rows:
        raise SystemExit(f"{imports.rows - imports.accepted} imported rows were not accepted")


if __name__ == "__main__":
    main()
