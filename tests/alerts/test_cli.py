"""``xinyong warnings``: list, scan, acknowledge and dismiss from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete
from typer.testing import CliRunner

from tests.alerts.support import REP, import_rows, org2_penalty, publish
from tests.helpers import ORG, ORG2, add_department, penalty
from xinyong.alerts.tables import alerts
from xinyong.bootstrap import build_platform
from xinyong.identity.ric import mask_resident_id
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_warnings_commands(env: Path) -> None:
    platform = build_platform()
    add_department(platform)
    import_rows(platform, penalty())
    import_rows(platform, org2_penalty(), name="org2.csv")
    publish(platform, ORG)  # listed after both imports: alerted at publication
    code, out = _run("warnings", "list", "--purpose", "办件核查", "--json")
    assert code == 0, out
    page = json.loads(out)
    assert page["total"] == 1
    (a,) = page["alerts"]
    assert (a["subject"], a["related"]) == (ORG2, ORG)
    assert REP not in out
    # A database from before the feature: the scan fills it in, once.
    with platform.engine.begin() as conn:
        conn.execute(delete(alerts))
    code, out = _run("warnings", "scan")
    assert code == 0, out
    assert "新增预警 1 条" in out
    assert mask_resident_id(REP) in out
    assert REP not in out
    code, out = _run("warnings", "scan", "--json")
    assert json.loads(out) == {"created": []}
    code, out = _run("warnings", "list", "--purpose", "办件核查")
    assert "易地开张" in out
    assert "共 1 条" in out
    alert_id = json.loads(_run("warnings", "list", "--purpose", "办件核查", "--json")[1])["alerts"][
        0
    ]["id"]
    code, out = _run("warnings", "ack", str(alert_id), "--note", "已转办", "--by", "李科长")
    assert code == 0, out
    assert "已确认" in out
    code, out = _run("warnings", "dismiss", str(alert_id))
    assert code == 2
    assert "理由" in out
    code, out = _run("warnings", "dismiss", str(alert_id), "--note", "同名不同人", "--by", "李科长")
    assert code == 0
    assert "已排除" in out
    code, out = _run("warnings", "list", "--purpose", "办件核查", "--status", "all", "--json")
    (done,) = json.loads(out)["alerts"]
    assert (done["status"], done["handled_by"], done["note"]) == (
        "dismissed",
        "cli:李科长",
        "同名不同人",
    )
    code, out = _run("warnings", "list", "--purpose", "办件核查", "--status", "closed")
    assert code == 2
    assert "未知状态" in out
    code, out = _run("warnings", "ack", "99999")
    assert code == 2
    assert "不存在" in out


def test_listing_alerts_states_a_purpose_and_is_audited_with_the_operator(env: Path) -> None:
    from sqlalchemy import select

    from xinyong.access.service import verify_audit
    from xinyong.access.tables import audit_log

    platform = build_platform()
    code, out = _run("warnings", "list")
    assert code == 2
    assert "须说明查询用途" in out
    code, out = _run("--operator", "王审核", "warnings", "list", "--purpose", "易地开张排查")
    assert code == 0, out
    with platform.engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.action == "read_alerts")).all()
        assert [(r.actor, r.purpose) for r in rows] == [("cli:王审核", "易地开张排查")]
        assert verify_audit(conn)[1] is None
