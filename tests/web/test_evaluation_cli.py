"""``xinyong evaluation models|run|show|runs`` in-process on both engines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def cli_platform(
    engine: Engine, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()
    built = build_platform(get_settings(), clock=clock, engine=engine)
    monkeypatch.setattr("xinyong.web.commands.evaluation._platform", lambda: built)
    monkeypatch.setattr("xinyong.web.commands.common._platform", lambda: built)
    yield built
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _json(*args: str) -> Any:
    code, out = _run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_models_run_show_export_and_runs(cli_platform: Platform, tmp_path: Path) -> None:
    code, out = _run("evaluation", "models")
    assert code == 0, out
    assert "GGXYPJ" in out
    assert "等级 优（A）" in out

    add_department(cli_platform)
    cli_platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    run = _json("evaluation", "run")
    assert run["state"] == "done"
    assert run["total"] == 2  # one subject × 2 models (GGXYPJ, QYXYFXFL)
    code, out = _run("evaluation", "run")
    assert code == 0, out
    assert "增量评价" in out

    code, out = _run("evaluation", "show", ORG)
    assert code == 2  # an internal read needs a purpose
    assert "查询用途" in out
    shown = _json("evaluation", "show", ORG, "--purpose", "分级分类监管")
    assert shown["results"][0]["grade_label"] == "中"
    code, out = _run("evaluation", "show", ORG, "--purpose", "分级分类监管")
    assert "650 分" in out
    assert "贡献 -50" in out

    runs = _json("evaluation", "runs")
    assert [r["state"] for r in runs] == ["done", "done"]
    assert runs[0]["full"] is False

    out = tmp_path / "评价结果.csv"
    exported = _json("evaluation", "export", str(out), "--purpose", "分级分类监管")
    assert exported["rows"] == 1
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("统一社会信用代码,主体名称")
    assert lines[1].startswith(f"{ORG},西安市碑林区示例科技有限公司,法人及非法人组织,")
    assert ",650,中,C," in lines[1]
    code, out_text = _run("evaluation", "export", str(out), "--model", "NOPE", "--purpose", "x")
    assert code == 2
    assert "NOPE" in out_text


def test_models_lists_the_industry_model_with_its_scope(cli_platform: Platform) -> None:
    add_department(cli_platform, name="省市场监督管理局")
    code, out = _run("evaluation", "models")
    assert code == 0, out
    block = out[out.index("SCJG_SPXY") :]
    block = block[: block.index("GGXYPJ  ")] if "GGXYPJ  " in block else block
    assert "食品生产经营企业信用评价" in block
    assert "评价部门 省市场监督管理局  基础模型 GGXYPJ" in block  # the name, not the code
    assert "C 制造业、F 批发和零售业、H 住宿和餐饮业" in block  # 行业门类 with their labels
    assert "不参加本模型评价" in block
    assert "QYXYFXFL" not in out  # internal: never published
    listed = _json("evaluation", "models")
    food = next(m for m in listed if m["code"] == "SCJG_SPXY")
    assert (food["department"], food["department_label"]) == ("scjg", "省市场监督管理局")
    assert [(i["code"], i["label"]) for i in food["industries"]] == [
        ("C", "制造业"),
        ("F", "批发和零售业"),
        ("H", "住宿和餐饮业"),
    ]
