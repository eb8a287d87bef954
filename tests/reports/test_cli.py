"""``xinyong reports``: the monthly table, JSON and XLSX, and typical cases, in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import TEST_KEY
from tests.helpers import resident_id
from tests.reports.support import Story, build_story
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def story(
    platform: Platform, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Story]:
    story = build_story(platform, clock)
    url = platform.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", TEST_KEY)
    get_settings.cache_clear()
    yield story
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_monthly_table_json_and_xlsx(story: Story, tmp_path: Path) -> None:
    code, out = _run("reports", "monthly", "--purpose", "办件核查", "--month", "2026-06")
    assert code == 0, out
    assert "2026-06 月度统计" in out
    assert "按核查部门" in out
    lines = out.splitlines()
    total = next(line for line in lines if line.strip().startswith("合计"))
    assert total.split()[1:] == ["8", "7", "4"]
    m12 = next(line for line in lines if line.strip().startswith("M12"))
    assert m12.split()[-5:] == ["4", "2", "0", "2", "50.0%"]

    code, out = _run(
        "reports",
        "monthly",
        "--purpose",
        "办件核查",
        "--month",
        "2026-06",
        "--json",
        "--department",
        "swj",
    )
    assert code == 0, out
    body = json.loads(out)
    assert [(d["department"], d["checks"]) for d in body["departments"]] == [("swj", 2)]

    path = tmp_path / "out" / "june.xlsx"
    code, out = _run(
        "reports", "monthly", "--purpose", "办件核查", "--month", "2026-06", "--xlsx", str(path)
    )
    assert code == 0, out
    wb = load_workbook(path)
    rows = list(wb["按措施"].iter_rows(values_only=True))
    assert rows[0][0] == "措施代码"
    assert rows[-1][4:8] == (12, 5, 1, 6)


def test_bad_month_exits_2_with_the_reason(story: Story) -> None:
    code, out = _run("reports", "monthly", "--purpose", "办件核查", "--month", "2099-01")
    assert code == 2
    assert "统计月份（month）“2099-01”尚未开始" in out
    code, out = _run("reports", "monthly", "--purpose", "办件核查", "--month", "June", "--json")
    assert code == 2
    assert "格式不正确" in json.loads(out)["error"]


def test_typical_case_commands(story: Story) -> None:
    code, out = _run(
        "--operator",
        "王科员",
        "reports",
        "typical-add",
        "--title",
        "纳税信用A级企业享受容缺受理",
        "--summary",
        "某企业为纳税信用A级纳税人，办理行政许可时适用容缺受理。",
        "--category",
        "激励",
        "--measure",
        "I01",
        "--measure",
        "I02",
        "--department",
        "swj",
        "--case",
        str(story.cases["org3"]),
        "--json",
    )
    assert code == 0, out
    case = json.loads(out)
    assert (case["state"], case["created_by"]) == ("draft", "cli:王科员")
    code, out = _run("reports", "typical-list", "--public", "--json")
    assert json.loads(out) == []
    code, out = _run("reports", "typical-publish", str(case["id"]))
    assert code == 0, out
    assert "已发布" in out
    code, out = _run("reports", "typical-list", "--public")
    assert "纳税信用A级企业享受容缺受理" in out
    assert "共 1 条" in out
    code, out = _run("reports", "typical-publish", str(case["id"]))
    assert code == 2
    assert "只有“草稿”的案例才能发布" in out
    code, out = _run("reports", "typical-withdraw", str(case["id"]), "--reason", "更正")
    assert code == 0, out
    code, out = _run("reports", "typical-list", "--purpose", "办件核查")
    assert "[已撤回]" in out

    code, out = _run(
        "reports",
        "typical-add",
        "--title",
        "标题",
        "--summary",
        f"当事人身份证号{resident_id()}",
        "--category",
        "惩戒",
        "--measure",
        "M11",
        "--department",
        "scjg",
    )
    assert code == 2
    assert "案例摘要（summary）中含有疑似居民身份证号码" in out
    assert resident_id() not in out


def test_dashboard_table_json_and_purpose(story: Story) -> None:
    code, out = _run("reports", "dashboard", "--months", "12")
    assert code != 0
    assert "用途" in out
    code, out = _run("reports", "dashboard", "--months", "12", "--json", "--purpose", "工作台")
    assert code == 0, out
    body = json.loads(out)
    assert {c["month"]: c["checks"] for c in body["checks"]}["2026-06"] == 8
    code, out = _run("reports", "dashboard", "--months", "12", "--purpose", "工作台")
    assert code == 0, out
    assert "核查与措施（按月）" in out
    assert "市场监管总局严重违法失信名单" in out or "严重违法失信" in out
    assert "预警：待处理 0" in out
    code, out = _run("reports", "dashboard", "--months", "0", "--purpose", "工作台")
    assert code != 0
    assert "统计月数" in out
