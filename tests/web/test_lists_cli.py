"""``xinyong lists``: list types, a case from proposal to expiry, the inbox and the worker.

The commands run in-process against both engines; the platform they build gets the test's
FixedClock so deadlines and expiry can be reached by moving time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.helpers import ORG, csv_bytes, penalty
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def env(
    engine: Engine, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()

    def platform() -> Platform:
        return build_platform(get_settings(), clock=clock, engine=engine)

    monkeypatch.setattr("xinyong.web.commands.lists._platform", platform)
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _json(*args: str) -> Any:
    code, out = _run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def _register(env: Path) -> None:
    code, out = _run(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0, out
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out


def test_types(env: Path) -> None:
    body = _json("lists", "types")
    samr = next(t for t in body["list_types"] if t["code"] == "SAMR_SERIOUS")
    assert samr["period"]["months"] == 36
    code, out = _run("lists", "types")
    assert code == 0
    assert "SAMR_SERIOUS     市场监督管理严重违法失信名单（严重失信主体名单，市场监管）" in out
    assert "公示20个工作日" in out
    assert "列入满12个月后" in out
    assert "依据：纳税信用管理办法（待核实）" in out  # RED_TAX_A: its basis is unconfirmed


def test_case_from_proposal_through_inbox_to_expiry(env: Path, clock: FixedClock) -> None:
    _register(env)
    case = _json(
        "lists", "propose", "SAMR_SERIOUS", ORG, "--department", "scjg", "--note", "拟列入"
    )
    cid = str(case["id"])
    assert case["state"] == "proposed"
    assert _json("lists", "step", cid, "notify")["state"] == "notified"
    code, out = _run("lists", "step", cid, "state_case", "--role", "subject", "--note", "申辩")
    assert code == 0, out
    assert "已陈述申辩，待决定" in out
    listed = _json(
        "lists",
        "step",
        cid,
        "list",
        "--actor",
        "scjg:张科员",
        "--decision-number",
        "陕市监信列〔2026〕1号",
        "--grounds",
        "提供虚假材料取得行政许可",
    )
    due = WorkCalendar.load().add_workdays(dt.date(2026, 6, 15), 20)
    assert listed["due_on"] == due.isoformat()
    assert listed["history"][-1]["actor"] == "scjg:张科员"
    assert listed["history"][2]["role"] == "subject"
    code, out = _run("lists", "show", "--purpose", "办件核查", cid)
    assert code == 0
    assert f"办理期限：{due.isoformat()}" in out
    assert "publish  公示 → 已列入并公示  [department、office、system]" in out
    inbox = _json("lists", "inbox", "--purpose", "办件核查")
    assert [(c["id"], c["overdue"]) for c in inbox["cases"]] == [(case["id"], False)]
    assert _json("lists", "inbox", "--purpose", "办件核查", "--overdue")["total"] == 0
    clock.set(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), CHINA_TZ))
    overdue = _json("lists", "inbox", "--purpose", "办件核查", "--overdue")
    assert [(c["id"], c["overdue"]) for c in overdue["cases"]] == [(case["id"], True)]
    code, out = _run("lists", "inbox", "--purpose", "办件核查", "--overdue")
    assert "超期" in out
    assert f"办件 {cid}" in out
    # Stale version and a step from the wrong state: exit 2 with the reason.
    code, out = _run("lists", "step", cid, "publish", "--version", "1")
    assert code == 2
    assert "已被更新" in out
    code, out = _run("lists", "step", cid, "notify")
    assert code == 2
    assert "当前状态为“已决定列入，待公示”" in out
    published = _json("lists", "step", cid, "publish", "--role", "office")
    until = published["membership"]["until"]
    clock.set(dt.datetime.combine(dt.date.fromisoformat(until), dt.time(0, 10), CHINA_TZ))
    code, out = _run("lists", "expire")
    assert code == 0, out
    assert f"截至 {until}：期满移出 1 个名单成员" in out
    assert _json("lists", "expire")["expired"] == 0
    assert _json("lists", "worker", "--once", "expire_lists")["expired"] == 0
    shown = _json("lists", "show", "--purpose", "办件核查", cid)
    assert shown["state"] == "exited"
    assert shown["membership"]["exit_reason"] == "expired"


def test_errors_exit_2_with_a_reason(env: Path) -> None:
    _register(env)
    bad = ORG[:-1] + ("B" if ORG[-1] != "B" else "C")
    code, out = _run("lists", "propose", "SAMR_SERIOUS", bad, "--department", "scjg")
    assert code == 2
    assert f"subject（主体代码）“{bad}”无效" in out
    code, out = _run("lists", "propose", "NOPE", ORG, "--department", "scjg", "--json")
    assert code == 2
    assert "list_type（名单类型）“NOPE”" in json.loads(out)["error"]
    code, out = _run("lists", "step", "1", "notify", "--role", "boss")
    assert code == 2
    assert "--role“boss”无效" in out
    code, out = _run("lists", "show", "--purpose", "办件核查", "424242")
    assert code == 2
    assert "办件 424242 不存在" in out
    code, out = _run("lists", "inbox", "--purpose", "办件核查", "--state", "done")
    assert code == 2
    assert "state“done”" in out
    code, out = _run("lists", "worker", "--once", "nope")
    assert code == 2
    assert "没有名为“nope”的任务" in out


def test_jobs_listing(env: Path) -> None:
    rows = _json("lists", "jobs")
    assert {r["name"]: r["next_run"] for r in rows} == {
        "expire_lists": "2026-06-16T00:10:00+08:00",
        "dispatch_events": "2026-06-15T10:00:00+08:00",
        "anchor_ledger": "2026-06-16T01:00:00+08:00",
        "apply_calendar": "2026-06-16T07:00:00+08:00",
        "scan_overdue_cases": "2026-06-16T08:30:00+08:00",
    }
    result = _json("lists", "worker", "--once", "dispatch_events")
    assert result["job"] == "dispatch_events"
    assert result["failed"] == []
    result = _json("lists", "worker", "--once", "scan_overdue_cases")
    assert (result["job"], result["overdue"]) == ("scan_overdue_cases", 0)
