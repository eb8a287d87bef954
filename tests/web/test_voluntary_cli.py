"""``xinyong voluntary``: a registration entered at a window, refused without the
authorisation, verified by the wrong then the right department, shown, listed, rejected, and
the share report, in-process on both engines with a moved clock."""

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
CERT = (
    "--field", "certificate_name=建筑业企业资质证书",
    "--field", "certificate_no=D261000001",
    "--field", "issuer=陕西省住房和城乡建设厅",
    "--field", "issued_on=2026-03-01",
)  # fmt: skip


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

    monkeypatch.setattr("xinyong.web.commands.voluntary._platform", platform)
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


def test_voluntary_registration_from_the_command_line(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    for dept, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("swj", "省税务局", "tax"),
    ):
        assert _run("department", "add", dept, name, "--sector", sector)[0] == 0
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    assert _run("import", str(path), "--source", "scjg", "--item", "XZCF")[0] == 0
    code, out = _run(
        "voluntary", "submit", ORG, "QUALIFICATION", *CERT, "--department", "scjg", "--commitment"
    )
    assert code != 0
    assert "未授权的信息不予注册" in out
    view = _json(
        "voluntary", "submit", ORG, "QUALIFICATION", *CERT,
        "--department", "scjg", "--commitment", "--authorisation",
    )  # fmt: skip
    case_id = str(view["id"])
    assert view["state"] == "submitted"
    code, out = _run("voluntary", "verify", case_id, "--department", "swj")
    assert code != 0
    assert "无权核验" in out
    code, out = _run("voluntary", "verify", case_id, "--department", "scjg", "--note", "核对一致")
    assert code == 0, out
    assert "已纳入信用记录" in out
    assert "自主申报" in out
    code, out = _run("voluntary", "show", case_id, "--purpose", "核查")
    assert "已核验，纳入信用记录" in out
    second = _json(
        "voluntary", "submit", ORG, "WELFARE",
        "--field", "activity=助学捐赠", "--field", "organiser=西安市慈善会",
        "--field", "held_on=2026-10-20", "--commitment", "--authorisation",
    )  # fmt: skip
    code, out = _run("voluntary", "reject", str(second["id"]))
    assert code != 0
    assert "须写明理由" in out
    rejected = _json("voluntary", "reject", str(second["id"]), "--note", "捐赠凭证不清晰")
    assert rejected["rejection_reason"] == "捐赠凭证不清晰"
    listed = _json("voluntary", "list", "--purpose", "核查")
    assert sorted(r["state"] for r in listed["registrations"]) == ["rejected", "verified"]
    share = _json("voluntary", "share")
    assert share["overall"]["voluntary"] == 1
    assert share["overall"]["total"] == 2
    code, out = _run("voluntary", "share")
    assert "占 50.0%（目标 30%" in out
