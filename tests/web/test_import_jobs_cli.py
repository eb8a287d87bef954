"""``xinyong imports list`` and ``xinyong imports show``: audited reads of import jobs."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.ingest import jobs
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def cli(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Platform:
    monkeypatch.setattr("xinyong.web.commands.imports._platform", lambda: platform)
    add_department(platform)
    return platform


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--operator", "张三", *args])
    return result.exit_code, result.output


def _finished(platform: Platform, job_id: str) -> dict[str, Any]:
    for _ in range(2400):
        with platform.engine.connect() as conn:
            job = jobs.get_job(conn, job_id)
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(job)


def test_list_and_show_import_jobs(cli: Platform) -> None:
    submitted = cli.import_jobs().submit(
        io.BytesIO(csv_bytes([penalty(), penalty(CF_WSH="2号", CF_JDRQ="x")])),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
        channel="api",
        actor="client:1:scjg系统",
    )
    done = _finished(cli, submitted["id"])
    assert done["state"] == "done"

    code, out = _run("imports", "list")
    assert code == 2
    assert "用途" in out
    code, out = _run("imports", "list", "--purpose", "巡检")
    assert code == 0, out
    assert submitted["id"] in out
    assert "[完成]" in out
    assert "接收 1，拒收 1" in out
    assert "共 1 个任务" in out
    code, out = _run("imports", "list", "--state", "failed", "--purpose", "巡检", "--json")
    assert code == 0, out
    assert json.loads(out) == {"total": 0, "jobs": []}
    code, out = _run("imports", "list", "--state", "lost", "--purpose", "巡检")
    assert code == 2
    assert "任务状态" in out
    code, out = _run("imports", "list", "--limit", "0", "--purpose", "巡检")
    assert code == 2  # bounded: typer refuses it

    code, out = _run("imports", "show", submitted["id"], "--purpose", "核对", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert (shown["job_id"], shown["state"], shown["batch_id"]) == (
        submitted["id"],
        "done",
        done["batch_id"],
    )
    assert shown["result"]["accepted"] == 1
    code, out = _run("imports", "show", "0" * 32, "--purpose", "核对")
    assert code == 2
    assert "不存在" in out
    code, out = _run("imports", "show", "610102198001011237", "--purpose", "核对")
    assert code == 2
    assert "610102198001011237" not in out

    with cli.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.purpose).where(
                audit_log.c.action.in_(["read_import_jobs", "read_import_job"])
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("cli:张三", "read_import_jobs", "巡检"),
        ("cli:张三", "read_import_jobs", "巡检"),
        ("cli:张三", "read_import_job", "核对"),
    ]
