"""``xinyong inspections inspectors|plans|draw-plan|tasks|result``: inspectors registered, a
plan, its commitment published, the draw run (a draw before the commitment refused), the task
in an inspector's inbox, a result entered by an assigned inspector, another refused; the
public record written by ``draw-plan --run --out`` verifies with ``xinyong verify-draw``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.inspections.test_persisted import seed_platform
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.clock import FixedClock
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
    monkeypatch.delenv("XINYONG_LOCAL_CATALOG_DIR", raising=False)
    get_settings.cache_clear()

    def platform() -> Platform:
        return build_platform(get_settings(), clock=clock, engine=engine)

    monkeypatch.setattr("xinyong.web.commands.inspections._platform", platform)
    monkeypatch.setattr("xinyong.web.commands.common._platform", platform)
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _json(*args: str) -> Any:
    code, out = _run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_plans_draws_tasks_results_from_the_command_line(
    env: Path, engine: Engine, clock: FixedClock, platform: Platform
) -> None:
    seed_platform(platform)  # a department, 40 organisations, four inspectors
    code, out = _run(
        "inspections", "inspector-add", "SJ900", "--name", "新检查员", "--department", "scjg",
        "--region", "610100", "--certificate", "610100999999", "--qualification", "执法证件",
    )  # fmt: skip
    assert code == 0, out
    assert "61******9999" in out  # the certificate is kept masked
    code, out = _run("inspections", "inspectors", "--department", "scjg")
    assert code == 0
    assert "共 5 名检查人员" in out
    code, out = _run(
        "inspections", "plan-add", "--name", "企业公示信息抽查", "--department", "scjg",
        "--item", "NOPE", "--policy", "SAMR_GRADED", "--year", "2026",
    )  # fmt: skip
    assert code != 0
    assert "抽查事项清单中没有事项" in out
    plan = _json(
        "inspections", "plan-add", "--name", "企业公示信息抽查", "--department", "scjg",
        "--item", "GSXX_CC", "--policy", "SAMR_GRADED", "--year", "2026",
    )  # fmt: skip
    code, out = _run("inspections", "draw-plan", str(plan["id"]), "--department", "scjg", "--run")
    assert code != 0
    assert "没有待抽取的抽取承诺" in out
    committed = _json("inspections", "draw-plan", str(plan["id"]), "--department", "scjg")
    assert committed["status"] == "published"
    assert committed["seed"] is None
    clock.advance(dt.timedelta(minutes=10))
    record_file = env / "record.json"
    drawn = _json(
        "inspections", "draw-plan", str(plan["id"]), "--department", "scjg", "--run",
        "--out", str(record_file),
    )  # fmt: skip
    assert drawn["status"] == "drawn"
    code, out = _run("verify-draw", str(record_file), "--commitment", committed["draw_commitment"])
    assert code == 0, out
    tasks = _json("inspections", "tasks", "--draw", str(drawn["id"]))
    assert len(tasks) == 4
    task = tasks[0]
    mine = task["inspectors"][0]
    assert task["id"] in {t["id"] for t in _json("inspections", "tasks", "--inspector", mine)}
    other = next(
        i for i in ("SJ000", "SJ001", "SJ002", "SJ003", "SJ900") if i not in task["inspectors"]
    )
    today = clock.today().isoformat()
    code, out = _run(
        "inspections", "result", str(task["id"]), "--inspector", other, "--item", "GSXX_CC",
        "--result", "01", "--date", today,
    )  # fmt: skip
    assert code != 0
    assert "不是检查任务" in out
    done = _json(
        "inspections", "result", str(task["id"]), "--inspector", mine, "--item", "GSXX_CC",
        "--result", "01", "--date", today,
    )  # fmt: skip
    assert done["status"] == "done"
    assert done["results"][0]["result_label"] == "未发现问题"
    off = _json("inspections", "inspector-active", "SJ900", "--off")
    assert off["active"] is False
    recusal = _json(
        "inspections", "recusal-add", "request", "--inspector", "SJ000", "--subject",
        task["subject"], "--reason", "曾为本企业提供咨询服务",
    )  # fmt: skip
    code, out = _run("inspections", "recusal-withdraw", str(recusal["id"]))
    assert code == 0, out
    assert "已撤回回避登记" in out
    code, out = _run("inspections", "plans")
    assert "已抽取，种子已公开" in out


def test_plan_by_industry_and_size(env: Path, platform: Platform) -> None:
    from tests.inspections.test_pool_filters import classify

    seed_platform(platform)
    classify(platform)
    code, out = _run(
        "inspections", "plan-add", "--name", "制造业定向抽查", "--department", "scjg",
        "--item", "GSXX_CC", "--policy", "SAMR_GRADED", "--year", "2026",
        "--industry", "C", "--size", "3,4",
    )  # fmt: skip
    assert code == 0, out
    assert "范围 行业门类：制造业；" not in out
    assert "范围 行业门类：制造业" in out
    assert "范围 企业规模：小型、微型" in out
    assert "行业门类未载明的主体 20 个：未纳入抽查对象范围" in out
    code, out = _run(
        "inspections", "plan-add", "--name", "x", "--department", "scjg",
        "--item", "GSXX_CC", "--policy", "SAMR_GRADED", "--year", "2026", "--industry", "C13",
    )  # fmt: skip
    assert code != 0
    assert "不是“国民经济行业分类门类”中的代码" in out


def test_inspector_link_and_inbox_by_account_from_the_command_line(
    env: Path, engine: Engine, clock: FixedClock, platform: Platform
) -> None:
    from tests.helpers import add_user
    from tests.inspections.test_persisted import drawn as draw_now

    seed_platform(platform)
    d = draw_now(platform)
    add_user(platform, "jcy.a", "inspector")
    add_user(platform, "officer.b", "department_officer", "scjg")
    code, out = _run("inspections", "inspector-link", "SJ000")
    assert code != 0
    assert "--account" in out
    code, out = _run("inspections", "inspector-link", "SJ000", "--account", "officer.b")
    assert code != 0
    assert "只有角色为“检查人员”的账号" in out
    linked = _json("inspections", "inspector-link", "SJ000", "--account", "jcy.a")
    assert linked["account"] == "jcy.a"
    code, out = _run("inspections", "inspectors")
    assert "账号 jcy.a" in out
    mine = _json("inspections", "tasks", "--account", "jcy.a")
    everyone = _json("inspections", "tasks", "--draw", str(d["id"]))
    assert {t["id"] for t in mine} == {t["id"] for t in everyone if "SJ000" in t["inspectors"]}
    _json("inspections", "inspector-link", "SJ000", "--off")
    code, out = _run("inspections", "tasks", "--account", "jcy.a")
    assert code != 0
    assert "尚未关联检查人员登记" in out
