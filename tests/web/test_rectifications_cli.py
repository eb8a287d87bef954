"""``xinyong rectifications``: an order, an interview scheduled and held, the inbox with
its overdue flag, a wrong department refused; in-process on both engines, moved clock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from tests.helpers import csv_bytes, penalty
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import get_settings
from xinyong.ledger.tables import entries
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

    monkeypatch.setattr("xinyong.web.commands.rectifications._platform", platform)
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


def test_a_rectification_from_the_command_line(
    env: Path, engine: Engine, clock: FixedClock
) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    for code_, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("hbj", "省生态环境厅", "ecology"),
    ):
        code, out = _run("department", "add", code_, name, "--sector", sector)
        assert code == 0, out
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out
    with engine.connect() as conn:
        record = conn.execute(
            select(func.max(entries.c.id)).where(entries.c.item_code == "XZCF")
        ).scalar_one()
    order = ("rectifications", "order", "--record", str(record), "--obligation", "补缴罚款")
    code, out = _run(*order, "--deadline", "2026-07-15", "--department", "hbj")
    assert code != 0
    assert "谁认定、谁约谈" in out
    view = _json(*order, "--deadline", "2026-07-15", "--department", "scjg")
    case = str(view["id"])
    assert view["state"] == "ordered"
    clock.set(dt.datetime(2026, 7, 16, 10, 0, tzinfo=CHINA_TZ))
    code, out = _run("rectifications", "list", "--overdue", "--purpose", "办理")
    assert code == 0, out
    assert "已超期" in out
    assert "共 1 件" in out
    sched = _json(
        "rectifications",
        "schedule",
        case,
        "--kind",
        "WARNING",
        "--date",
        "2026-07-22",
        "--place",
        "三楼会议室",
        "--department",
        "scjg",
    )
    assert sched["interviews"][0]["kind_label"] == "警示约谈"
    clock.set(dt.datetime(2026, 7, 22, 15, 0, tzinfo=CHINA_TZ))
    code, out = _run(
        "rectifications",
        "hold",
        case,
        "--held-on",
        "2026-07-22",
        "--minutes",
        "告知后果",
        "--attendee",
        "subject:法定代表人:王经理",
        "--action",
        "补缴罚款@2026-07-31",
        "--department",
        "scjg",
    )
    assert code == 0, out
    assert "参加：被约谈主体 法定代表人 王经理" in out
    code, out = _run("rectifications", "failed", case, "--department", "scjg")
    assert code != 0
    assert "note" in out
    done = _json("rectifications", "rectified", case, "--department", "scjg")
    assert done["state"] == "rectified"
    code, out = _run("rectifications", "show", case, "--purpose", "核查")
    assert code == 0
    assert "已整改到位" in out
