"""``xinyong rectifications``: an order, an interview scheduled and held, the inbox with
its overdue flag, a wrong department refused; in-process on both engines, moved clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.helpers import cli_json, csv_bytes, penalty, run_cli
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.ledger.tables import entries


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def test_a_rectification_from_the_command_line(
    env: Path, engine: Engine, clock: FixedClock
) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    for code_, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("hbj", "省生态环境厅", "ecology"),
    ):
        code, out = run_cli("department", "add", code_, name, "--sector", sector)
        assert code == 0, out
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out
    with engine.connect() as conn:
        record = conn.execute(
            select(func.max(entries.c.id)).where(entries.c.item_code == "XZCF")
        ).scalar_one()
    order = ("rectifications", "order", "--record", str(record), "--obligation", "补缴罚款")
    code, out = run_cli(*order, "--deadline", "2026-07-15", "--department", "hbj")
    assert code != 0
    assert "谁认定、谁约谈" in out
    view = cli_json(*order, "--deadline", "2026-07-15", "--department", "scjg")
    case = str(view["id"])
    assert view["state"] == "ordered"
    clock.set(dt.datetime(2026, 7, 16, 10, 0, tzinfo=CHINA_TZ))
    code, out = run_cli("rectifications", "list", "--overdue", "--purpose", "办理")
    assert code == 0, out
    assert "已超期" in out
    assert "共 1 件" in out
    sched = cli_json(
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
    code, out = run_cli(
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
    code, out = run_cli("rectifications", "failed", case, "--department", "scjg")
    assert code != 0
    assert "note" in out
    done = cli_json("rectifications", "rectified", case, "--department", "scjg")
    assert done["state"] == "rectified"
    code, out = run_cli("rectifications", "show", case, "--purpose", "核查")
    assert code == 0
    assert "已整改到位" in out
