"""kill -9 of a running import, on both engines: no partial batch, a sound ledger, and the
import sent again lands every row exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from tests.helpers import add_department, cli_env, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc
from xinyong.ledger.service import verify
from xinyong.ledger.tables import batches, entries

ROWS = 3000
# Moments to kill at, in seconds after the process started: while it starts, reads,
# validates and writes (the import takes several seconds here).
KILL_AFTER = (1.0, 1.8, 2.6)


def _file(tmp_path: Path) -> Path:
    rows = [
        penalty(
            CF_XDR_SHXYM=make_uscc("9", "1", "610102", f"MA{i:06d}"),
            CF_WSH=f"陕市监罚〔2026〕{i}号",
        )
        for i in range(ROWS)
    ]
    path = tmp_path / "penalties.csv"
    path.write_bytes(csv_bytes(rows))
    return path


def _cli(engine: Engine, tmp_path: Path, path: Path) -> subprocess.Popen[bytes]:
    env = cli_env(engine.url.render_as_string(hide_password=False), tmp_path / "var")
    return subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "xinyong.web.cli", "import", str(path), "--source", "scjg"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _state(engine: Engine) -> tuple[int, int, list[tuple[int, int, int]]]:
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(entries)).scalar_one())
        per_batch = conn.execute(
            select(batches.c.id, batches.c.entry_count, func.count(entries.c.id))
            .select_from(batches.outerjoin(entries, entries.c.batch_id == batches.c.id))
            .group_by(batches.c.id, batches.c.entry_count)
        ).all()
        problems = len(verify(conn)[2])
    return n, problems, [(int(a), int(b), int(c)) for a, b, c in per_batch]


def test_an_import_killed_at_any_moment_leaves_no_partial_batch(
    platform: Platform, engine: Engine, tmp_path: Path
) -> None:
    add_department(platform)
    path = _file(tmp_path)
    outcomes = []
    for delay in KILL_AFTER:
        run = _cli(engine, tmp_path, path)
        time.sleep(delay)
        finished = run.poll() is not None
        if not finished:
            run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        n, problems, per_batch = _state(engine)
        outcomes.append((delay, finished, n))
        assert n in (0, ROWS), outcomes  # all of the batch or nothing of it
        assert problems == 0
        assert all(count == declared for _, declared, count in per_batch), per_batch
    # At least one kill landed inside the import (otherwise this test tested nothing).
    assert any(not finished for _, finished, _ in outcomes), outcomes
    final = _cli(engine, tmp_path, path)
    assert final.wait(timeout=300) == 0
    n, problems, per_batch = _state(engine)
    assert (n, problems) == (ROWS, 0)
    with engine.connect() as conn:
        keys = conn.execute(select(func.count(func.distinct(entries.c.record_key)))).scalar_one()
    assert keys == ROWS  # 0 lost, 0 duplicated
