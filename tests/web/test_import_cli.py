"""``xinyong import --backfill`` and ``xinyong quality`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def cli(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Platform:
    monkeypatch.setattr("xinyong.web.cli._platform", lambda: platform)
    with platform.engine.begin() as conn:
        access.add_department(
            conn, "scjg", "省市场监督管理局", "market_regulation", None, platform.clock.now()
        )
    return platform


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_backfill_import_and_quality_report(cli: Platform, tmp_path: Path) -> None:
    add_department(cli, "sthj", "ecology")
    old = tmp_path / "2025.csv"
    # Decided 2026-05-06, long past its 7-working-day deadline on 2026-06-15.
    old.write_bytes(csv_bytes([penalty(CF_JDRQ="2026-05-06"), penalty(CF_WSH="2号", CF_JDRQ="x")]))
    code, out = _run(
        "import", str(old), "--source", "scjg", "--item", "XZCF", "--backfill", "--json"
    )
    assert code == 0, out
    body = json.loads(out)
    assert (body["backfill"], body["late"], body["past_deadline"], body["rejected"]) == (
        True,
        0,
        1,
        1,
    )
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes([penalty(CF_WSH="3号", CF_JDRQ="2026-05-06")]))
    code, out = _run("import", str(new), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out
    assert "超期报送 1" in out
    assert "历史数据补录" not in out
    code, out = _run("import", str(old), "--source", "scjg", "--item", "XZCF", "--backfill")
    assert "历史数据补录：不计超期报送" in out  # the same file again: nothing new, still said

    report = json.loads(_run("quality", "--json")[1])
    (dept,) = report["departments"]  # sthj has submitted nothing
    assert (dept["department"], dept["department_name"]) == ("scjg", "省市场监督管理局")
    assert (dept["rows"], dept["rejected_rows"], dept["rejection_rate_percent"]) == (3, 1, 33.33)
    assert (dept["backfill_rows"], dept["with_deadline"], dept["late"]) == (2, 1, 1)
    code, out = _run("quality")
    assert code == 0
    assert out.splitlines() == [
        "省市场监督管理局（scjg）",
        "  报送 3 行，拒收 1 行，拒收率 33.33%；其中历史补录 2 行（1 批，不计超期）",
        "  重码 0、错码 0，重错码率 0.000‰（目标 ≤ 1‰，达标）",
        "  应限时公示 1 行，超期 1 行，超期率 100.00%",
    ]
