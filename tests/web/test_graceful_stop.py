"""A server stopped with SIGTERM writes every receipt it answered with, on both engines."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import Engine, func, select

from tests.helpers import ORG, add_department, cli_env, csv_bytes, free_port, penalty
from xinyong.bootstrap import Platform
from xinyong.checks.tables import check_receipts


def test_sigterm_drains_the_queued_receipts(
    platform: Platform, engine: Engine, tmp_path: Path
) -> None:
    key = add_department(platform)
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    port = free_port()
    env = cli_env(
        engine.url.render_as_string(hide_password=False),
        tmp_path / "var",
        # A long interval: every receipt is still queued when the stop comes.
        XINYONG_CHECK_RECEIPT_BATCH_MS="60000",
    )
    server = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "xinyong.web.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        receipts = []
        for _ in range(30):
            request = urllib.request.Request(  # noqa: S310 - loopback
                f"{base}/api/v1/checks",
                data=json.dumps({"subject": ORG, "scenario": "government_procurement"}).encode(),
                headers={"X-API-Key": key, "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
                assert resp.status == 200
                receipts.append(json.loads(resp.read())["receipt"])
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(check_receipts)).scalar_one() == 0
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert server.wait(timeout=60) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
    with engine.connect() as conn:
        stored = set(conn.execute(select(check_receipts.c.receipt)).scalars())
    assert stored == set(receipts)
