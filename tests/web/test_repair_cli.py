"""``xinyong repairs``: eligibility, an application entered at a window, the department's
steps, the inbox and the re-check draw, in-process on both engines with a moved clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import ORG, cli_json, csv_bytes, penalty, run_cli
from xinyong.kernel.clock import CHINA_TZ, FixedClock


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def test_a_repair_from_the_command_line(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 12, 10, 0, tzinfo=CHINA_TZ))
    code, out = run_cli(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0, out
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out
    code, out = run_cli("repairs", "eligibility", ORG, "--purpose", "咨询")
    assert code == 0, out
    assert "暂不可申请，2026-09-10 起可申请" in out
    assert "[待核实] 已纠正失信行为、履行法定义务" in out
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    [record] = cli_json("repairs", "eligibility", ORG, "--purpose", "咨询")["records"]
    proof = env / "凭证.pdf"
    proof.write_bytes(b"%PDF-1.7 proof")
    entry = str(record["record"]["entry"])
    code, out = run_cli(
        "repairs", "apply", ORG, entry, "--signatory", "王经理", "--material", str(proof)
    )
    assert code == 2
    assert "信用承诺" in out
    view = cli_json(
        "repairs",
        "apply",
        ORG,
        entry,
        "--signatory",
        "王经理",
        "--commitment-signed",
        "--material",
        str(proof),
    )
    case = str(view["id"])
    assert view["state"] == "submitted"
    assert view["due"]["date"] == "2026-10-08"
    code, out = run_cli("repairs", "approve", case, "--department", "scjg")
    assert code == 2
    assert "不能执行" in out
    assert cli_json("repairs", "accept", case, "--department", "scjg")["state"] == "accepted"
    code, out = run_cli("repairs", "list", "--department", "scjg", "--purpose", "办理")
    assert code == 0
    assert "已受理，待决定" in out
    assert "共 1 件" in out
    done = cli_json("repairs", "approve", case, "--department", "scjg", "--note", "予以修复")
    assert done["state"] == "repaired"
    code, out = run_cli("repairs", "show", case, "--purpose", "核查")
    assert code == 0
    assert "已修复，停止公示" in out
    clock.set(dt.datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    drawn = cli_json("repairs", "sample", "2026-09", "--seed", "abc")
    assert drawn["population"] == [int(case)]
    assert drawn["drawn"] == [int(case)]
    voided = cli_json("repairs", "void", case, "--note", "材料系伪造")
    assert voided["state"] == "voided"
    assert voided["fraud_bar_until"] == "2029-11-01"
