"""``xinyong voluntary``: a registration entered at a window, refused without the
authorisation, verified by the wrong then the right department, shown, listed, rejected, and
the share report, in-process on both engines with a moved clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import ORG, cli_json, csv_bytes, penalty, run_cli
from xinyong.kernel.clock import CHINA_TZ, FixedClock

CERT = (
    "--field", "certificate_name=建筑业企业资质证书",
    "--field", "certificate_no=D261000001",
    "--field", "issuer=陕西省住房和城乡建设厅",
    "--field", "issued_on=2026-03-01",
)  # fmt: skip


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def test_voluntary_registration_from_the_command_line(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    for dept, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("swj", "省税务局", "tax"),
    ):
        assert run_cli("department", "add", dept, name, "--sector", sector)[0] == 0
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    assert run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")[0] == 0
    code, out = run_cli(
        "voluntary", "submit", ORG, "QUALIFICATION", *CERT, "--department", "scjg", "--commitment"
    )
    assert code != 0
    assert "未授权的信息不予注册" in out
    view = cli_json(
        "voluntary", "submit", ORG, "QUALIFICATION", *CERT,
        "--department", "scjg", "--commitment", "--authorisation",
    )  # fmt: skip
    case_id = str(view["id"])
    assert view["state"] == "submitted"
    code, out = run_cli("voluntary", "verify", case_id, "--department", "swj")
    assert code != 0
    assert "无权核验" in out
    code, out = run_cli(
        "voluntary", "verify", case_id, "--department", "scjg", "--note", "核对一致"
    )
    assert code == 0, out
    assert "已纳入信用记录" in out
    assert "自主申报" in out
    code, out = run_cli("voluntary", "show", case_id, "--purpose", "核查")
    assert "已核验，纳入信用记录" in out
    second = cli_json(
        "voluntary", "submit", ORG, "WELFARE",
        "--field", "activity=助学捐赠", "--field", "organiser=西安市慈善会",
        "--field", "held_on=2026-10-20", "--commitment", "--authorisation",
    )  # fmt: skip
    code, out = run_cli("voluntary", "reject", str(second["id"]))
    assert code != 0
    assert "须写明理由" in out
    rejected = cli_json("voluntary", "reject", str(second["id"]), "--note", "捐赠凭证不清晰")
    assert rejected["rejection_reason"] == "捐赠凭证不清晰"
    listed = cli_json("voluntary", "list", "--purpose", "核查")
    assert sorted(r["state"] for r in listed["registrations"]) == ["rejected", "verified"]
    share = cli_json("voluntary", "share")
    assert share["overall"]["voluntary"] == 1
    assert share["overall"]["total"] == 2
    code, out = run_cli("voluntary", "share")
    assert "占 50.0%（目标 30%" in out
