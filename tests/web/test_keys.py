"""Keys and operators: ``xinyong department list``, ``xinyong key issue|list|revoke``, the
revocation delay of the per-process key cache (real app, real database), and CLI writes
recorded in the audit log under the operator."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.access.cache import PrincipalCache
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app
from xinyong.web.cli import app

runner = CliRunner()
COMMAND_MODULES = ("cli", "commands.access", "commands.lists", "commands.warnings")


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cli(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """The CLI commands run on the test's platform (its database, clock and key cache)."""
    for module in COMMAND_MODULES:
        monkeypatch.setattr(f"xinyong.web.{module}._platform", lambda: platform)
    # Commands folded into commands.common build their platform there.
    monkeypatch.setattr("xinyong.web.commands.common._platform", lambda: platform)
    return platform


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _json(*args: str) -> Any:
    code, out = _run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def _office_key(platform: Platform) -> tuple[int, str]:
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
        return access.authenticate(conn, key).client_id, key


def _alerts(client: TestClient, key: str) -> int:
    return client.get(
        "/api/v1/alerts", params={"purpose": "核查"}, headers={"X-API-Key": key}
    ).status_code


def _revoke_elsewhere(platform: Platform, client_id: int) -> None:
    """Revoke as another process would (the CLI on the server's database)."""
    with platform.engine.begin() as conn:
        access.revoke_key(conn, client_id, actor="cli:other", now=platform.clock.now())


def test_revoked_key_is_refused_once_the_cache_delay_has_passed(platform: Platform) -> None:
    ticks = Ticks()
    platform.principal_cache = PrincipalCache(30, clock=ticks)
    client = TestClient(create_app(platform))
    client_id, key = _office_key(platform)
    assert _alerts(client, key) == 200
    _revoke_elsewhere(platform, client_id)
    ticks.now += 29.9
    assert _alerts(client, key) == 200  # the documented delay: remembered for 30 s
    ticks.now += 0.2
    assert _alerts(client, key) == 401
    ticks.now += 1
    assert _alerts(client, key) == 401  # a refused key is not remembered
    assert len(platform.principal_cache) == 0


def test_revocation_delay_with_a_real_clock(platform: Platform) -> None:
    fast = build_platform(
        platform.settings.model_copy(update={"api_key_cache_seconds": 0.2}),
        clock=platform.clock,
        engine=platform.engine,
        catalogue=platform.catalogue,
        sanctions=platform.sanctions,
        calendar=platform.calendar,
    )
    client = TestClient(create_app(fast))
    client_id, key = _office_key(fast)
    assert _alerts(client, key) == 200
    assert len(fast.principal_cache) == 1
    _revoke_elsewhere(fast, client_id)
    time.sleep(0.25)
    assert _alerts(client, key) == 401


def test_without_a_cache_revocation_is_immediate(platform: Platform) -> None:
    platform.principal_cache = PrincipalCache(0)
    client = TestClient(create_app(platform))
    client_id, key = _office_key(platform)
    assert _alerts(client, key) == 200
    _revoke_elsewhere(platform, client_id)
    assert _alerts(client, key) == 401


def test_the_process_that_revokes_refuses_the_key_at_once(cli: Platform) -> None:
    ticks = Ticks()
    cli.principal_cache = PrincipalCache(30, clock=ticks)
    client = TestClient(create_app(cli))
    client_id, key = _office_key(cli)
    _, other = _office_key(cli)
    assert _alerts(client, key) == _alerts(client, other) == 200
    code, out = _run("key", "revoke", str(client_id))
    assert code == 0, out
    assert f"已停用 API 密钥 {client_id}（信用办）" in out
    assert "30 秒内" in out
    assert _alerts(client, key) == 401  # same process: forgotten, no delay
    assert _alerts(client, other) == 200  # other keys stay remembered
    code, out = _run("key", "revoke", str(client_id))
    assert code == 2
    assert "已停用" in out
    code, out = _run("key", "revoke", "9999")
    assert code == 2
    assert "没有编号为 9999 的 API 密钥" in out


def test_department_and_key_listings(cli: Platform) -> None:
    code, out = _run(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0, out
    code, out = _run("department", "add", "fy", "省高级人民法院", "--sector", "court", "--no-key")
    assert code == 0, out
    issued = _json("key", "issue", "信用办门户", "--role", "office")
    assert issued["key"].startswith("xy_")
    assert (issued["role"], issued["role_label"]) == ("office", "信用办")
    code, out = _run("key", "issue", "审计", "--role", "auditor")
    assert "API 密钥（只显示一次）：xy_" in out
    _run("key", "revoke", str(issued["id"]))

    departments = _json("department", "list")["departments"]
    assert [
        (d["code"], d["name"], d["sector_label"], d["active_keys"], d["revoked_keys"])
        for d in departments
    ] == [("fy", "省高级人民法院", "法院", 0, 0), ("scjg", "省市场监督管理局", "市场监管", 1, 0)]
    code, out = _run("department", "list")
    assert "scjg         省市场监督管理局  行业领域：市场监管  有效密钥 1 个，已停用 0 个" in out
    assert "共 2 个部门" in out

    keys = _json("key", "list")["keys"]
    assert [(k["name"], k["role_label"], k["department_name"], k["revoked"]) for k in keys] == [
        ("省市场监督管理局业务系统", "部门业务系统", "省市场监督管理局", False),
        ("信用办门户", "信用办", None, True),
        ("审计", "审计", None, False),
    ]
    assert keys[1]["revoked_at"] == cli.clock.now().isoformat(timespec="seconds")
    assert keys[0]["created_at"].endswith("+08:00")
    assert all(len(k["key_prefix"]) == 10 for k in keys)
    assert issued["key"] not in json.dumps(keys)  # the key is shown once, at issue
    code, out = _run("key", "list")
    assert (
        f"前缀 {issued['key'][:10]}…  签发 2026-06-15 10:00:00  已停用（2026-06-15 10:00:00）"
        in out
    )
    assert "部门：省市场监督管理局（scjg）" in out
    assert [k["name"] for k in _json("key", "list", "--department", "scjg")["keys"]] == [
        "省市场监督管理局业务系统"
    ]


def _audit(platform: Platform) -> list[tuple[str, str]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action).order_by(audit_log.c.id))
        return [(r.actor, r.action) for r in rows]


def test_cli_writes_are_audited_under_the_operator(
    cli: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "ops01")
    assert (
        _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")[0]
        == 0
    )
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    code, out = _run(
        "--operator", "李科长", "import", str(path), "--source", "scjg", "--item", "XZCF"
    )
    assert code == 0, out
    code, out = _run(
        "--operator", "王科员", "lists", "propose", "SAMR_SERIOUS", ORG, "--department", "scjg"
    )
    assert code == 0, out
    case_id = out.split("办件 ")[1].split()[0]
    code, out = _run(
        "--operator", "王科员", "lists", "step", case_id, "notify", "--actor", "scjg:张三"
    )
    assert code == 0, out
    code, out = _run(
        "--operator", "李科长", "file", ORG, "--view", "internal", "--purpose", "行政许可审查"
    )
    assert code == 0, out
    code, out = _run("--operator", "李科长", "key", "revoke", "1")
    assert code == 0, out
    assert _audit(cli) == [
        ("cli:ops01", "department_add"),  # no --operator: the OS user
        ("cli:ops01", "key_issue"),
        ("cli:李科长", "import"),
        ("cli:王科员", "list_case_propose"),
        ("cli:王科员", "list_case_step"),
        ("cli:李科长", "read_file"),
        ("cli:李科长", "key_revoke"),
    ]
    with cli.engine.connect() as conn:
        step = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "list_case_step")
        ).scalar_one()
        read = conn.execute(
            select(audit_log.c.purpose).where(audit_log.c.action == "read_file")
        ).scalar_one()
    assert json.loads(step)["handler"] == "scjg:张三"  # the handler named with --actor
    assert read == "行政许可审查"
    code, out = _run("--operator", " ", "quality")
    assert code == 2
    assert "--operator" in out


def test_internal_reads_without_a_purpose_are_refused(cli: Platform) -> None:
    key = add_department(cli)
    cli.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    before = _audit(cli)
    client = TestClient(create_app(cli))
    for params in ({"view": "internal"}, {"view": "internal", "purpose": " "}):
        resp = client.get(f"/api/v1/subjects/{ORG}/file", params=params, headers={"X-API-Key": key})
        assert resp.status_code == 422
        assert "查询用途" in resp.json()["detail"]["message"]
    assert client.get(f"/api/v1/subjects/{ORG}/file").status_code == 200  # public: no purpose
    code, out = _run("file", ORG, "--view", "internal")
    assert code == 2
    assert "查询用途" in out
    assert "--purpose" in out
    assert _audit(cli) == before  # nothing was read, nothing logged
    code, out = _run("file", ORG, "--view", "public")
    assert code == 0, out


def test_issue_time_is_shown_in_beijing_time(cli: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))
    _json("key", "issue", "门户", "--role", "office")
    _, out = _run("key", "list")
    assert "签发 2026-07-01 07:30:00  有效" in out
