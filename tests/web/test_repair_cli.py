"""``xinyong repairs``: eligibility, an application entered at a window, the department's
steps, the inbox and the re-check draw, in-process on both engines with a moved clock."""

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

    monkeypatch.setattr("xinyong.web.commands.repair._platform", platform)
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


def test_a_repair_from_the_command_line(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 12, 10, 0, tzinfo=CHINA_TZ))
    code, out = _run(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0, out
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out
    code, out = _run("repairs", "eligibility", ORG, "--purpose", "咨询")
    assert code == 0, out
    assert "暂不可申请，2026-09-10 起可申请" in out
    assert "[待核实] 已纠正失信行为、履行法定义务" in out
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    [record] = _json("repairs", "eligibility", ORG, "--purpose", "咨询")["records"]
    proof = env / "凭证.pdf"
    proof.write_bytes(b"%PDF-1.7 proof")
    entry = str(record["record"]["entry"])
    code, out = _run(
        "repairs", "apply", ORG, entry, "--signatory", "王经理", "--material", str(proof)
    )
    assert code == 2
    assert "信用承诺" in out
    view = _json(
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
    code, out = _run("repairs", "approve", case, "--department", "scjg")
    assert code == 2
    assert "不能执行" in out
    assert _json("repairs", "accept", case, "--department", "scjg")["state"] == "accepted"
    code, out = _run("repairs", "list", "--department", "scjg", "--purpose", "办理")
    assert code == 0
    assert "已受理，待决定" in out
    assert "共 1 件" in out
    done = _json("repairs", "approve", case, "--department", "scjg", "--note", "予以修复")
    assert done["state"] == "repaired"
    code, out = _run("repairs", "show", case, "--purpose", "核查")
    assert code == 0
    assert "已修复，停止公示" in out
    clock.set(dt.datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    drawn = _json("repairs", "sample", "2026-09", "--seed", "abc")
    assert drawn["population"] == [int(case)]
    assert drawn["drawn"] == [int(case)]
    voided = _json("repairs", "void", case, "--note", "材料系伪造")
    assert voided["state"] == "voided"
    assert voided["fraud_bar_until"] == "2029-11-01"
