"""``xinyong commitments``: sign for a department, a 容缺 promise missed (moved clock) and
swept to breached, the check barring 告知承诺, repair, a refusal with its reason, and the
monthly draw; in-process on both engines."""

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

    monkeypatch.setattr("xinyong.web.commands.commitments._platform", platform)
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


def test_commitments_from_the_command_line(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    for dept, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("zjt", "省住建厅", "housing"),
    ):
        assert _run("department", "add", dept, name, "--sector", sector)[0] == 0
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    assert _run("import", str(path), "--source", "scjg", "--item", "XZCF")[0] == 0
    code, out = _run("commitments", "templates")
    assert code == 0
    assert "JZQY_RQSL" in out
    assert "审批替代型/应用领域型" in out
    view = _json("commitments", "sign", ORG, "JZQY_RQSL", "--department", "zjt")
    assert view["status"] == "signed"
    assert view["due_date"] == "2026-07-07"
    code, out = _run("commitments", "sign", ORG, "WXHX_GZCN", "--department", "zjt")
    assert code != 0
    assert "不在告知承诺事项清单内" in out
    code, out = _run(
        "commitments",
        "deliver",
        str(view["id"]),
        "--material",
        "技术负责人职称证书",
        "--department",
        "zjt",
    )
    assert code == 0
    assert "履约中" in out
    clock.set(dt.datetime(2026, 7, 8, 10, 0, tzinfo=CHINA_TZ))
    assert _json("commitments", "sweep") == {"breached": [view["id"]]}
    code, out = _run("commitments", "sign", ORG, "SPJY_GZCN", "--department", "scjg")
    assert code != 0
    assert "不适用告知承诺制" in out
    code, out = _run(
        "commitments", "repair", str(view["id"]), "--note", "已补齐", "--department", "scjg"
    )
    assert code != 0
    assert "其他部门" in out
    code, out = _run("commitments", "repair", str(view["id"]), "--note", "已补齐并参加诚信教育")
    assert code == 0
    assert "未履约（已信用修复）" in out
    signed = _json("commitments", "sign", ORG, "SPJY_GZCN", "--department", "scjg")
    assert _json("commitments", "verify", str(signed["id"]), "--true")["status"] == "fulfilled"
    code, out = _run("commitments", "list", "--purpose", "核查")
    assert code == 0
    assert "共 2 项" in out
    code, out = _run("commitments", "show", str(view["id"]), "--purpose", "核查")
    assert code == 0
    assert "逾期未补齐材料" in out
    sample = _json("commitments", "sample", "2026-07", "--seed", "s")
    assert sample["population"] == [signed["id"]]
    assert sample["drawn"] == [signed["id"]]
