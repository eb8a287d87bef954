"""``xinyong commitments``: sign for a department, a 容缺 promise missed (moved clock) and
swept to breached, the check barring 告知承诺, repair, a refusal with its reason, and the
monthly draw; in-process on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import ORG, cli_json, csv_bytes, penalty, run_cli
from xinyong.kernel.clock import CHINA_TZ, FixedClock


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def test_commitments_from_the_command_line(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    for dept, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("zjt", "省住建厅", "housing"),
    ):
        assert run_cli("department", "add", dept, name, "--sector", sector)[0] == 0
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    assert run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")[0] == 0
    code, out = run_cli("commitments", "templates")
    assert code == 0
    assert "JZQY_RQSL" in out
    assert "审批替代型/应用领域型" in out
    view = cli_json("commitments", "sign", ORG, "JZQY_RQSL", "--department", "zjt")
    assert view["status"] == "signed"
    assert view["due_date"] == "2026-07-07"
    code, out = run_cli("commitments", "sign", ORG, "WXHX_GZCN", "--department", "zjt")
    assert code != 0
    assert "不在告知承诺事项清单内" in out
    code, out = run_cli(
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
    assert cli_json("commitments", "sweep") == {"breached": [view["id"]]}
    code, out = run_cli("commitments", "sign", ORG, "SPJY_GZCN", "--department", "scjg")
    assert code != 0
    assert "不适用告知承诺制" in out
    code, out = run_cli(
        "commitments", "repair", str(view["id"]), "--note", "已补齐", "--department", "scjg"
    )
    assert code != 0
    assert "其他部门" in out
    code, out = run_cli("commitments", "repair", str(view["id"]), "--note", "已补齐并参加诚信教育")
    assert code == 0
    assert "未履约（已信用修复）" in out
    signed = cli_json("commitments", "sign", ORG, "SPJY_GZCN", "--department", "scjg")
    assert cli_json("commitments", "verify", str(signed["id"]), "--true")["status"] == "fulfilled"
    code, out = run_cli("commitments", "list", "--purpose", "核查")
    assert code == 0
    assert "共 2 项" in out
    code, out = run_cli("commitments", "show", str(view["id"]), "--purpose", "核查")
    assert code == 0
    assert "逾期未补齐材料" in out
    sample = cli_json("commitments", "sample", "2026-07", "--seed", "s")
    assert sample["population"] == [signed["id"]]
    assert sample["drawn"] == [signed["id"]]
