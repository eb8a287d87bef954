"""Scenarios (应用场景) as users find them: ``xinyong scenarios`` and ``GET /api/v1/scenarios``
list code, Chinese name, description and whether a local catalogue added it; a check accepts
the Chinese name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.catalog.conftest import write_local_dir
from tests.helpers import ORG, add_department, list_subject
from xinyong.bootstrap import build_platform
from xinyong.catalog.sanctions import load_sanctions
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import Settings, get_settings
from xinyong.web.app import create_app
from xinyong.web.cli import app

LOCAL_SCENARIOS = """\
schema: xinyong.catalog/v1
kind: scenarios
scenarios:
  - code: housing_fund
    name: 住房公积金业务
    description: 住房公积金缴存、提取和贷款
"""

runner = CliRunner()


@pytest.fixture
def local(tmp_path: Path) -> Path:
    root = write_local_dir(tmp_path / "local")
    (root / "scenarios.yaml").write_text(LOCAL_SCENARIOS, encoding="utf-8")
    return root


def test_api_lists_national_and_local_scenarios_without_a_key(
    engine: Engine, clock: FixedClock, settings: Settings, local: Path
) -> None:
    platform = build_platform(
        settings.model_copy(update={"local_catalog_dir": local}), clock=clock, engine=engine
    )
    resp = TestClient(create_app(platform)).get("/api/v1/scenarios")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["version"] == platform.sanctions.snapshot.version
    by_code = {s["code"]: s for s in body["scenarios"]}
    assert set(by_code) == set(platform.sanctions.scenarios)
    assert by_code["government_procurement"] == {
        "code": "government_procurement",
        "name": "政府采购",
        "description": platform.sanctions.scenarios["government_procurement"].description,
        "local": False,
        "scope_label": "国家目录",
    }
    assert by_code["housing_fund"]["local"] is True
    assert by_code["housing_fund"]["scope_label"] == "地方补充目录"
    assert by_code["housing_fund"]["name"] == "住房公积金业务"


@pytest.fixture
def env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_lists_scenarios_in_chinese_and_as_json(env: Path) -> None:
    national = load_sanctions().scenarios
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(national)
    assert any(
        line.startswith("government_procurement") and "政府采购（国家目录）：" in line
        for line in lines
    )
    result = runner.invoke(app, ["scenarios", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [s["code"] for s in body["scenarios"]] == list(national)
    education = next(s for s in body["scenarios"] if s["code"] == "education")
    assert (education["name"], education["local"]) == ("升学复学", False)


def test_cli_check_takes_the_chinese_name_and_marks_unconfirmed_bases(
    env: Path, engine: Engine
) -> None:
    platform = build_platform(get_settings(), engine=engine)
    add_department(platform, "swj", "tax")
    list_subject(platform, ORG, "RED_TAX_A", "swj")
    out = runner.invoke(app, ["check", ORG, "--scenario", "评优评先", "--json"])
    assert out.exit_code == 0, out.output
    answer = json.loads(out.output)
    assert answer["scenario"] == {"code": "honours", "name": "评优评先"}
    (membership,) = answer["memberships"]
    labels = {b["title"]: b["evidence_label"] for b in membership["legal_basis"]}
    assert labels["纳税信用管理办法"] == "待核实"
    i05 = next(m for m in (*answer["measures"], *answer["to_verify"]) if m["measure"] == "I05")
    assert [(b["evidence"], b["evidence_label"]) for b in i05["legal_basis"]] == [("U", "待核实")]
    text = runner.invoke(app, ["check", ORG, "--scenario", "评优评先"])
    assert text.exit_code == 0, text.output
    assert "依据：守信联合激励措施（评优评先优先）（待核实）" in text.output
    assert "[U]" not in text.output
    wrong = runner.invoke(app, ["check", ORG, "--scenario", "政府采买"])
    assert wrong.exit_code == 2
    assert "没有应用场景“政府采买”" in wrong.output
