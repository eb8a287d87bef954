"""``xinyong lists``: list types, a case from proposal to expiry, the inbox and the worker.

The commands run in-process against both engines; the platform they build gets the test's
FixedClock so deadlines and expiry can be reached by moving time.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import ORG, cli_json, csv_bytes, penalty, run_cli
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, FixedClock


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def _register(env: Path) -> None:
    code, out = run_cli(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0, out
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out


def test_types(env: Path) -> None:
    body = cli_json("lists", "types")
    samr = next(t for t in body["list_types"] if t["code"] == "SAMR_SERIOUS")
    assert samr["period"]["months"] == 36
    code, out = run_cli("lists", "types")
    assert code == 0
    assert "SAMR_SERIOUS     市场监督管理严重违法失信名单（严重失信主体名单，市场监管）" in out
    assert "公示20个工作日" in out
    assert "列入满12个月后" in out
    assert "依据：纳税信用管理办法（待核实）" in out  # RED_TAX_A: its basis is unconfirmed


def test_case_from_proposal_through_inbox_to_expiry(env: Path, clock: FixedClock) -> None:
    _register(env)
    case = cli_json(
        "lists", "propose", "SAMR_SERIOUS", ORG, "--department", "scjg", "--note", "拟列入"
    )
    cid = str(case["id"])
    assert case["state"] == "proposed"
    assert cli_json("lists", "step", cid, "notify")["state"] == "notified"
    code, out = run_cli("lists", "step", cid, "state_case", "--role", "subject", "--note", "申辩")
    assert code == 0, out
    assert "已陈述申辩，待决定" in out
    listed = cli_json(
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
    code, out = run_cli("lists", "show", "--purpose", "办件核查", cid)
    assert code == 0
    assert f"办理期限：{due.isoformat()}" in out
    assert "publish  公示 → 已列入并公示  [department、office、system]" in out
    inbox = cli_json("lists", "inbox", "--purpose", "办件核查")
    assert [(c["id"], c["overdue"]) for c in inbox["cases"]] == [(case["id"], False)]
    assert cli_json("lists", "inbox", "--purpose", "办件核查", "--overdue")["total"] == 0
    clock.set(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), CHINA_TZ))
    overdue = cli_json("lists", "inbox", "--purpose", "办件核查", "--overdue")
    assert [(c["id"], c["overdue"]) for c in overdue["cases"]] == [(case["id"], True)]
    code, out = run_cli("lists", "inbox", "--purpose", "办件核查", "--overdue")
    assert "超期" in out
    assert f"办件 {cid}" in out
    # Stale version and a step from the wrong state: exit 2 with the reason.
    code, out = run_cli("lists", "step", cid, "publish", "--version", "1")
    assert code == 2
    assert "已被更新" in out
    code, out = run_cli("lists", "step", cid, "notify")
    assert code == 2
    assert "当前状态为“已决定列入，待公示”" in out
    published = cli_json("lists", "step", cid, "publish", "--role", "office")
    until = published["membership"]["until"]
    clock.set(dt.datetime.combine(dt.date.fromisoformat(until), dt.time(0, 10), CHINA_TZ))
    code, out = run_cli("lists", "expire")
    assert code == 0, out
    assert f"截至 {until}：期满移出 1 个名单成员" in out
    assert cli_json("lists", "expire")["expired"] == 0
    assert cli_json("lists", "worker", "--once", "expire_lists")["expired"] == 0
    shown = cli_json("lists", "show", "--purpose", "办件核查", cid)
    assert shown["state"] == "exited"
    assert shown["membership"]["exit_reason"] == "expired"


def test_errors_exit_2_with_a_reason(env: Path) -> None:
    _register(env)
    bad = ORG[:-1] + ("B" if ORG[-1] != "B" else "C")
    code, out = run_cli("lists", "propose", "SAMR_SERIOUS", bad, "--department", "scjg")
    assert code == 2
    assert f"subject（主体代码）“{bad}”无效" in out
    code, out = run_cli("lists", "propose", "NOPE", ORG, "--department", "scjg", "--json")
    assert code == 2
    assert "list_type（名单类型）“NOPE”" in json.loads(out)["error"]
    code, out = run_cli("lists", "step", "1", "notify", "--role", "boss")
    assert code == 2
    assert "--role“boss”无效" in out
    code, out = run_cli("lists", "show", "--purpose", "办件核查", "424242")
    assert code == 2
    assert "办件 424242 不存在" in out
    code, out = run_cli("lists", "inbox", "--purpose", "办件核查", "--state", "done")
    assert code == 2
    assert "state“done”" in out
    code, out = run_cli("lists", "worker", "--once", "nope")
    assert code == 2
    assert "没有名为“nope”的任务" in out


def test_jobs_listing(env: Path) -> None:
    rows = cli_json("lists", "jobs")
    assert {r["name"]: r["next_run"] for r in rows} == {
        "expire_lists": "2026-06-16T00:10:00+08:00",
        "dispatch_events": "2026-06-15T10:00:00+08:00",
        "anchor_ledger": "2026-06-16T01:00:00+08:00",
        "apply_calendar": "2026-06-16T07:00:00+08:00",
        "scan_overdue_cases": "2026-06-16T08:30:00+08:00",
        "evaluate": "2026-06-15T10:20:00+08:00",  # hourly, the subjects whose ledger changed
        "evaluate_full": "2026-07-01T03:00:00+08:00",  # monthly, everyone
    }
    result = cli_json("lists", "worker", "--once", "dispatch_events")
    assert result["job"] == "dispatch_events"
    assert result["failed"] == []
    result = cli_json("lists", "worker", "--once", "scan_overdue_cases")
    assert (result["job"], result["overdue"]) == ("scan_overdue_cases", 0)
