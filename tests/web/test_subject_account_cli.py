"""``xinyong subject-account …``, run in-process against both engines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.helpers import ORG, csv_bytes, penalty, person_penalty, resident_id
from xinyong.access import repository as access_repo
from xinyong.bootstrap import build_platform
from xinyong.kernel.settings import get_settings
from xinyong.selfservice import accounts
from xinyong.web.cli import app

runner = CliRunner()
PASSWORD = "Subject-Cli-2026"


@pytest.fixture
def env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    for name, value in {
        "HASH_TEST_MODE": "true",
        "TIME_COST": "1",
        "MEMORY_KIB": "8",
        "PARALLELISM": "1",
    }.items():
        monkeypatch.setenv(f"XINYONG_PASSWORD_{name}", value)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--operator", "张管理", *args])
    return result.exit_code, result.output


def test_subject_account_commands(env: Path) -> None:
    assert (
        _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")[0]
        == 0
    )
    number = resident_id(seq="321")
    data = env / "p.csv"
    data.write_bytes(csv_bytes([penalty(), person_penalty(number)]))
    code, out = _run("import", str(data), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out
    code, out = _run("subject-account", "issue", ORG)
    assert code == 0, out
    assert "只显示这一次" in out
    assert "14 天" in out
    first = out.split("激活码（只显示这一次）：", 1)[1].split()[0]
    code, out = _run("subject-account", "issue", ORG.lower(), "--expires-days", "30", "--json")
    assert code == 0, out
    issued = json.loads(out)
    assert issued["uscc"] == ORG
    assert issued["code"] != first
    # Natural persons, unknown organisations and bad numbers are refused, nothing echoed.
    code, out = _run("subject-account", "issue", number)
    assert code == 2
    assert "自然人" in out
    assert number not in out
    code, out = _run("subject-account", "issue", ORG, "--expires-days", "0")
    assert code == 2
    code, out = _run("subject-account", "list", "--json")
    listed = json.loads(out)["accounts"]
    assert [(a["uscc"], a["state"], a["open_codes"]) for a in listed] == [(ORG, "pending", 1)]
    # The newest code activates; the first was retired.
    platform = build_platform()
    with platform.engine.begin() as conn:
        old = accounts.activate(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            uscc=ORG,
            code=first,
            password=PASSWORD,
            now=platform.clock.now(),
        )
    assert old.outcome == "invalid"
    with platform.engine.begin() as conn:
        new = accounts.activate(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            uscc=ORG,
            code=issued["code"],
            password=PASSWORD,
            now=platform.clock.now(),
        )
    assert new.outcome == "ok"
    code, out = _run("subject-account", "list")
    assert "已激活" in out
    assert "共 1 个主体账户" in out
    assert _run("subject-account", "disable", ORG)[0] == 0
    code, out = _run("subject-account", "disable", ORG)
    assert code == 2
    assert "已停用" in out
    code, out = _run("subject-account", "issue", ORG)
    assert code == 2
    assert "enable" in out
    assert _run("subject-account", "enable", ORG)[0] == 0
    code, out = _run("subject-account", "disable", "91610000000000000X")
    assert code == 2
    with platform.engine.connect() as conn:
        rows = access_repo.audit_rows(conn)
    by_operator = [r["action"] for r in rows if r["actor"] == "cli:张管理"]
    assert by_operator == [
        "department_add",
        "key_issue",
        "import",
        "subject_code_issue",
        "subject_code_issue",
        "subject_account_disable",
        "subject_account_enable",
    ]
    platform.close()
